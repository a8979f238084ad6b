"""Each release of the code reads and writes its own cache keys (portfolio/fingerprint.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from portfolio.fingerprint import code_fingerprint

ROOT = Path(__file__).resolve().parent.parent.parent


def _a_release(tmp_path: Path) -> Path:
    release = tmp_path / "release"
    (release / "portfolio").mkdir(parents=True)
    (release / "templates").mkdir()
    (release / "portfolio" / "metrics.py").write_text("RATE = 1\n")
    (release / "templates" / "panel.html").write_text("<p>{{ rate }}</p>\n")
    return release


def test_a_changed_template_or_module_is_another_release(tmp_path):
    release = _a_release(tmp_path)
    tops = ("portfolio", "templates")
    first = code_fingerprint(release, tops)
    assert code_fingerprint(release, tops) == first
    (release / "templates" / "panel.html").write_text("<p class=rate>{{ rate }}</p>\n")
    second = code_fingerprint(release, tops)
    assert second != first
    (release / "portfolio" / "metrics.py").write_text("RATE = 2\n")
    assert code_fingerprint(release, tops) not in (first, second)


def test_the_same_files_copied_elsewhere_are_the_same_release(tmp_path):
    """Two app servers of one release, deployed apart (other folders, other times), share keys."""
    release = _a_release(tmp_path)
    copy = tmp_path / "elsewhere"
    shutil.copytree(release, copy)
    os.utime(copy / "templates" / "panel.html", (0, 0))
    assert code_fingerprint(copy, ("portfolio", "templates")) == code_fingerprint(
        release, ("portfolio", "templates")
    )


def test_the_cache_is_versioned_by_this_release():
    assert code_fingerprint(ROOT) == settings.CACHE_VERSION
    assert settings.CACHES["default"]["VERSION"] == settings.CACHE_VERSION


def test_what_another_release_cached_is_not_read():
    """A panel the release before cached (the same key, its version) is not served now."""
    cache.set("greenlight:panel", "<p>old layout</p>", version=settings.CACHE_VERSION + 1)
    assert cache.get("greenlight:panel") is None
    cache.set("greenlight:panel", "<p>new layout</p>")
    assert cache.get("greenlight:panel", version=settings.CACHE_VERSION + 1) == "<p>old layout</p>"
    assert cache.get("greenlight:panel") == "<p>new layout</p>"
