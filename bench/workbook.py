"""The benchmark's Excel side: the generated CSV files as one .xlsx workbook, to time
``manage.py import_portfolio WORKBOOK.xlsx`` against the CSV import of the same portfolio
(issue 18: within 3× its time, under 300 MB).

The workbook is laid out as Excel saves one once the data is typed in: text in a
shared-strings table, dates as date serials with a date style, money and other
numbers as numbers, a ``<dimension>`` per sheet. Its XML is written directly
(openpyxl's writer would take ~11 minutes for 1M rows, and writes inline strings,
which Excel does not), with the parts Excel requires (content types, relationships,
a style sheet with its default font, fills and border); openpyxl reads it. Writing
it is not part of the import's time.
"""

from __future__ import annotations

import csv
import datetime
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

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
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_STYLE = 1  # cellXfs index of the yyyy-mm-dd format
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Strings:
    """The shared-strings table, as Excel keeps one: each text once, cells by index."""

    def __init__(self):
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, text: str) -> int:
        self.count += 1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> str:
        items = []
        for text in self.index:  # in index order
            space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
            items.append(f"<si><t{space}>{escape(text)}</t></si>")
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
            f'count="{self.count}" uniqueCount="{len(self.index)}">{"".join(items)}</sst>'
        )


def _write_sheet(archive: zipfile.ZipFile, member: str, csv_path: Path, strings) -> None:
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle))
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        letters = [_letters(index) for index in range(len(header))]
        kinds = ["d" if c in DATE_COLUMNS else "n" if c in NUMBER_COLUMNS else "s" for c in header]
        with archive.open(member, "w", force_zip64=True) as raw:
            raw.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                f'xmlns="{MAIN}" xmlns:r="{RELS}"><dimension ref="A1:{letters[-1]}{rows}"/>'
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                "<sheetData>".encode()
            )
            cells = "".join(
                f'<c r="{letters[i]}1" t="s"><v>{strings(c)}</v></c>' for i, c in enumerate(header)
            )
            parts = [f'<row r="1">{cells}</row>']
            serials: dict[str, int] = {}
            for number, row in enumerate(reader, start=2):
                cells = []
                for letter, kind, value in zip(letters, kinds, row, strict=True):
                    if not value:
                        continue
                    if kind == "s":
                        cells.append(f'<c r="{letter}{number}" t="s"><v>{strings(value)}</v></c>')
                    elif kind == "n":
                        cells.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
                    else:
                        serial = serials.get(value)
                        if serial is None:
                            days = datetime.date.fromisoformat(value) - EXCEL_EPOCH
                            serial = serials[value] = days.days
                        cells.append(
                            f'<c r="{letter}{number}" s="{DATE_STYLE}"><v>{serial}</v></c>'
                        )
                parts.append(f'<row r="{number}">{"".join(cells)}</row>')
                if len(parts) >= 5000:
                    raw.write("".join(parts).encode())
                    parts.clear()
            parts.append("</sheetData></worksheet>")
            raw.write("".join(parts).encode())


def write_workbook(csv_paths: list[Path], path: Path) -> None:
    """The CSV files as an .xlsx at ``path``, a sheet each (named after the file)."""
    strings = _Strings()
    sheets = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for number, csv_path in enumerate(csv_paths, start=1):
            member = f"xl/worksheets/sheet{number}.xml"
            _write_sheet(archive, member, csv_path, strings)
            sheets.append((number, csv_path.stem, member))
        archive.writestr("xl/sharedStrings.xml", strings.xml())
        archive.writestr("xl/styles.xml", STYLES)
        count = len(sheets)
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook '
            f'xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            + "".join(
                f'<sheet name={quoteattr(name)} sheetId={quoteattr(str(n))} r:id="rId{n}"/>'
                for n, name, _ in sheets
            )
            + "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            f'xmlns="{PACKAGE_RELS}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n, _, _ in sheets
            )
            + f'<Relationship Id="rId{count + 1}" Type="{RELS}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{count + 2}" Type="{RELS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            f'xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns='
            '"http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/{member}" ContentType="{SHEET_TYPE}"/>'
                for _, _, member in sheets
            )
            + f'<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            "</Types>",
        )


def workbook_from(directory: Path) -> tuple[Path, dict]:
    """``directory``'s CSV files as ``directory/portfolio.xlsx``, a sheet each."""
    started = time.perf_counter()
    path = directory / "portfolio.xlsx"
    write_workbook(sorted(directory.glob("*.csv")), path)
    return path, {"seconds": time.perf_counter() - started, "bytes": path.stat().st_size}
