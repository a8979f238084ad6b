"""The benchmark's Excel side: the generated CSV files as one .xlsx workbook, to time
``manage.py import_portfolio WORKBOOK.xlsx`` against the CSV import of the same portfolio
(issue 18: within 3× its time, under 300 MB).

The workbook is written with openpyxl's write-only mode, as Excel would keep the data
once typed in: dates as date cells, money and other numbers as numbers, text as text.
Writing it is not part of the import's time.
"""

from __future__ import annotations

import csv
import datetime
import time
from pathlib import Path

DATE_COLUMNS = {"submitted_on", "decided_on", "spent_on", "month", "estimated_on"}
NUMBER_COLUMNS = {
    "projected_low",
    "projected_expected",
    "projected_high",
    "probability_of_success",
    "next_stage_ask",
    "funding_granted",
    "amount",
    "realized_value",
    "gate",
    "build_cost",
    "monthly_run_cost",
    "cost_per_retrain",
}


def _typed(column: str):
    if column in DATE_COLUMNS:
        return lambda v: datetime.date.fromisoformat(v) if v else None
    if column in NUMBER_COLUMNS:
        return lambda v: (float(v) if "." in v else int(v)) if v else None
    return lambda v: v or None


def workbook_from(directory: Path) -> tuple[Path, dict]:
    """``directory``'s CSV files as ``directory/portfolio.xlsx``, a sheet each."""
    import openpyxl

    started = time.perf_counter()
    path = directory / "portfolio.xlsx"
    book = openpyxl.Workbook(write_only=True)
    for csv_path in sorted(directory.glob("*.csv")):
        sheet = book.create_sheet(csv_path.stem)
        with csv_path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            sheet.append(header)
            converters = [_typed(column) for column in header]
            for row in reader:
                sheet.append([convert(v) for convert, v in zip(converters, row, strict=True)])
    book.save(path)
    return path, {"seconds": time.perf_counter() - started, "bytes": path.stat().st_size}
