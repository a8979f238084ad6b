"""A lost database gives a clear 503 with Retry-After, never a 500."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from portfolio.web.middleware import DatabaseUnavailableMiddleware


@pytest.fixture
def middleware(db):
    return DatabaseUnavailableMiddleware(lambda request: None)


def test_a_lost_connection_becomes_a_503_page(middleware, monkeypatch):
    monkeypatch.setattr("portfolio.web.middleware._connection_lost", lambda: True)
    request = RequestFactory().get("/projects/")
    response = middleware.process_exception(
        request, OperationalError("server closed the connection")
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing was saved" in response.content.decode()


def test_the_api_gets_json(middleware, monkeypatch):
    monkeypatch.setattr("portfolio.web.middleware._connection_lost", lambda: True)
    request = RequestFactory().get("/api/metrics")
    response = middleware.process_exception(request, OperationalError("terminating connection"))
    assert response.status_code == 503
    assert "unavailable" in json.loads(response.content)["error"]


def test_other_errors_are_left_alone(middleware, monkeypatch):
    monkeypatch.setattr("portfolio.web.middleware._connection_lost", lambda: False)
    request = RequestFactory().get("/projects/")
    assert middleware.process_exception(request, OperationalError("deadlock detected")) is None
    assert middleware.process_exception(request, ValueError("bug")) is None
