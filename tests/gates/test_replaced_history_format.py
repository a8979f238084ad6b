"""The replaced-history page writes what it archived as the rest of the app writes it:
probabilities as percentages, statuses, decisions and other choices by their labels."""

from __future__ import annotations

import re
import shutil

import pytest

from gates.interchange import command_line_import, export_portfolio, import_portfolio
from portfolio.models import Project, ReplacedHistory
from tests.gates.replacing import edit_every_project
from tests.gates.test_import_portfolio import SAMPLE
from tests.gates.test_replaced_history import decided_panel

V3 = SAMPLE.parent / "sample-portfolio-v3"


def page_text(client, history: ReplacedHistory) -> str:
    """The page as a reader sees it: the text of its elements, one space between them
    (an address's <wbr>, where it may break on a phone, is no space)."""
    html = client.get(history.get_absolute_url()).content.decode().replace("<wbr>", "")
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def killed_history(tmp_path, sam) -> ReplacedHistory:
    """RP-0013 of the version 3 sample, edited in the app then replaced by the same files:
    go at gate 1 (0.44), kill at gate 2 (0.27); a data set (AR-0104) and an estimate
    retrained once a year."""
    folder = tmp_path / "v3"
    shutil.copytree(V3, folder, ignore=shutil.ignore_patterns("expected"))
    command_line_import(folder)
    edit_every_project()
    import_portfolio(folder, actor=sam, replace=True)
    return ReplacedHistory.objects.get(project__key="RP-0013")


def test_it_writes_the_status_by_its_label(client, killed_history, bob):
    client.force_login(bob)

    text = page_text(client, killed_history)

    assert "Status then Killed" in text
    assert "Status then killed" not in text


def test_it_writes_decisions_by_their_labels_and_probabilities_as_percentages(
    client, killed_history, bob
):
    client.force_login(bob)

    text = page_text(client, killed_history)

    assert re.search(r"1 1 Go \S+ pm1@example\.com EUR [0-9,.]+ 44% ", text)
    assert re.search(r"2 2 Kill \S+ pm1@example\.com EUR 0\.00 27% ", text)
    assert "0.4400" not in text and "0.2700" not in text


def test_it_writes_spend_categories_artifact_kinds_and_cadence_by_their_labels(
    client, killed_history, bob
):
    client.force_login(bob)

    text = page_text(client, killed_history)

    assert "2026-01-03 EUR 9,646.56 People GPU hours" in text
    assert "2026-01-15 EUR 6,156.77 Data" in text
    assert "(Data set), made 2026-03-10" in text
    assert "Retraining Yearly, EUR 9,800.00 each" in text


def test_it_writes_the_votes_as_the_review_page_does(client, tmp_path, alice, bob, carol, sam):
    project: Project = decided_panel(alice, bob, carol)
    export_portfolio(tmp_path)
    edit_every_project()
    import_portfolio(tmp_path, actor=sam, replace=True)
    client.force_login(alice)

    text = page_text(client, ReplacedHistory.objects.get(project=project))

    assert "carol@example.com Kill 20% " in text
    assert "bob@example.com Go 70% " in text
    # The review still open is blind to Alice, who has not voted in it: who voted, not how.
    assert "carol@example.com: voted" in text and "Hold 40%" not in text
    assert "0.7000" not in text and "0.2000" not in text
    client.force_login(carol)  # who voted in it sees how, as on the review page
    text = page_text(client, ReplacedHistory.objects.get(project=project))
    assert "carol@example.com Hold 40% " in text
