"""A number that changes whenever the code or templates do: the shared cache's version.

The cache keeps rendered dashboard panels and computed numbers under the data version
they were made for. Code that computes or draws them differently must not be served
what the code before it cached: in a rolling deploy, the old and the new app servers
share one Redis for a while, and a cached panel outlives a restart by up to
``CACHE_SECONDS``. With this number as the cache's ``VERSION`` each release reads and
writes its own keys; the old ones expire.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import django

# What decides what is computed and drawn: the Python packages and the templates.
SOURCES = ("api", "background", "boardpack", "gates", "planning", "portfolio", "templates")
SUFFIXES = {".py", ".html", ".txt", ".svg"}


def _files(root: Path, tops: Iterable[str]) -> list[Path]:
    found = []
    for top in tops:
        for path in (root / top).rglob("*"):
            if path.suffix in SUFFIXES and "__pycache__" not in path.parts and path.is_file():
                found.append(path)
    return sorted(found)


def code_fingerprint(root: Path, tops: Iterable[str] = SOURCES) -> int:
    """A positive 48-bit number from the files' names and contents and Django's version."""
    digest = hashlib.sha256(django.get_version().encode())
    for path in _files(root, tops):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return int.from_bytes(digest.digest()[:6], "big")
