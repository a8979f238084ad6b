from __future__ import annotations


def test_it_reports_ok_when_the_database_answers(client, db):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_reports_503_when_the_database_is_down(client, db, monkeypatch):
    class DownDatabase:
        def cursor(self):
            raise RuntimeError("connection refused")

    monkeypatch.setattr("portfolio.web.health.connection", DownDatabase())
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
