"""Fixtures shared by the portfolio tests."""

from __future__ import annotations

import pytest

from portfolio.metrics import incremental


@pytest.fixture
def full_computations(monkeypatch) -> list[int]:
    """The data versions the dashboard's numbers were computed in full for (not brought up
    to date, metrics/incremental.py), in order."""
    computed = []
    real = incremental._computed

    def spy(checked):
        found = real(checked)
        computed.append(found.version)
        return found

    monkeypatch.setattr(incremental, "_computed", spy)
    return computed
