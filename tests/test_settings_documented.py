"""Every environment variable the app reads is documented where operators look for it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# env_str("NAME", ...), env_int(\n    "NAME", ...), the settings' other env_* helpers,
# gunicorn.conf.py's _int("NAME", ...), os.environ.get("NAME"), os.environ["NAME"], getenv.
READS = re.compile(
    r"""(?:\benv_\w+\(|\b_int\(|\benviron(?:\.get)?\(|\benviron\[|\bgetenv\()"""
    r"""\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def _read_by_the_app() -> dict[str, str]:
    """Each variable the shipped code reads, with the first file that reads it."""
    skipped = {"tests", "bench", "scripts", "staticfiles", "node_modules"}
    shipped = [*ROOT.glob("*.py")]
    for top in sorted(ROOT.iterdir()):  # not into .venv: its thousands of files are not ours
        if top.is_dir() and not top.name.startswith(".") and top.name not in skipped:
            shipped += sorted(top.rglob("*.py"))
    found: dict[str, str] = {}
    for path in shipped:
        for variable in READS.findall(path.read_text(encoding="utf-8")):
            found.setdefault(variable, str(path.relative_to(ROOT)))
    return found


def test_the_scan_finds_the_settings_it_should():
    found = _read_by_the_app()
    # Read in one line, over several lines, by os.environ in gunicorn.conf.py: a scan that
    # missed these would pass the test below without looking.
    expected = {"DATABASE_URL", "EMAIL_BACKEND", "WEB_CONCURRENCY", "CURRENCY", "OIDC_ISSUER"}
    assert expected <= found.keys()


def test_every_variable_the_app_reads_is_documented():
    documented = (ROOT / "README.md").read_text(encoding="utf-8") + "".join(
        page.read_text(encoding="utf-8") for page in sorted((ROOT / "docs").glob("*.md"))
    )
    missing = {
        variable: where
        for variable, where in _read_by_the_app().items()
        if f"`{variable}`" not in documented
    }
    assert not missing, (
        "read from the environment but documented neither in the README nor in docs/ "
        f"(as `NAME`): {missing}"
    )
