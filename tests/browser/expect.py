"""Playwright's ``expect``, imported when a test first calls it.

A test module that imported Playwright at its top would make collection fail with an
ImportError where Playwright is not installed, instead of the one-line skip (a failure
under CI=true) that the ``browser`` fixture gives. So the modules import this instead.
"""

from __future__ import annotations

from typing import Any


def expect(actual: Any, message: str | None = None) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(actual, message)
