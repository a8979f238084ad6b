"""Gate decisions and their scores are history: never edited, never deleted."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from gates.models import AppendOnlyError, CriterionScore, GateDecision
from gates.services import record_decision
from tests.builders import TEST_KILL_CRITERION, full_marks, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(project, bob) -> GateDecision:
    return record_decision(
        project=project,
        gate=1,
        decision="go",
        actor=bob,
        decided_on=datetime.date(2026, 1, 10),
        funding_granted=Decimal("1000"),
        scores=full_marks(1),
        kill_criteria=[TEST_KILL_CRITERION],
    )


@pytest.fixture
def score(decision) -> CriterionScore:
    return decision.scores.filter(score__isnull=False).first()


def test_a_decision_cannot_be_saved_again(decision):
    decision.funding_granted = Decimal("999999")
    with pytest.raises(AppendOnlyError):
        decision.save()
    assert GateDecision.objects.get().funding_granted == Decimal("1000")


def test_a_decision_cannot_be_deleted(decision):
    with pytest.raises(AppendOnlyError):
        decision.delete()
    assert GateDecision.objects.count() == 1


def test_a_score_cannot_be_saved_again_or_deleted(score):
    score.score = 0
    with pytest.raises(AppendOnlyError):
        score.save()
    with pytest.raises(AppendOnlyError):
        score.delete()
    assert CriterionScore.objects.get(pk=score.pk).score == 8


@pytest.mark.parametrize("model", [GateDecision, CriterionScore])
def test_querysets_refuse_update_and_delete(decision, model):
    with pytest.raises(AppendOnlyError):
        model.objects.all().update(pk=1)
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk__gt=0).delete()
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()
    assert model.objects.exists()


def test_bulk_update_and_update_or_create_are_refused(decision):
    with pytest.raises(AppendOnlyError):
        GateDecision.objects.bulk_update([decision], ["rationale"])
    with pytest.raises(AppendOnlyError):
        GateDecision.objects.update_or_create(pk=decision.pk, defaults={"rationale": "x"})


def test_related_managers_refuse_too(decision, project):
    with pytest.raises(AppendOnlyError):
        project.decisions.update(rationale="rewritten")
    with pytest.raises(AppendOnlyError):
        project.decisions.all().delete()
    with pytest.raises(AppendOnlyError):
        decision.scores.all().delete()


def test_a_project_with_decisions_cannot_be_deleted(project, decision):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        project.delete()


@pytest.fixture
def admin_client(client, adam):
    client.force_login(adam)
    return client


@pytest.fixture
def superuser_client(client, db):
    root = make_user("root@example.com", is_superuser=True, is_staff=True)
    client.force_login(root)
    return client


@pytest.mark.parametrize("who", ["admin_client", "superuser_client"])
def test_the_admin_refuses_to_change_a_decision(decision, who, request):
    client = request.getfixturevalue(who)
    change = reverse("admin:gates_gatedecision_change", args=[decision.pk])
    response = client.post(change, {"rationale": "rewritten", "funding_granted": "0"})
    assert response.status_code == 403
    assert GateDecision.objects.get().rationale == ""


@pytest.mark.parametrize("who", ["admin_client", "superuser_client"])
def test_the_admin_refuses_to_delete_a_decision(decision, who, request):
    client = request.getfixturevalue(who)
    delete = reverse("admin:gates_gatedecision_delete", args=[decision.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert GateDecision.objects.count() == 1


def test_the_admin_offers_no_bulk_delete_or_add(decision, superuser_client):
    changelist = reverse("admin:gates_gatedecision_changelist")
    response = superuser_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [decision.pk], "post": "yes"}
    )
    assert GateDecision.objects.count() == 1
    assert response.status_code in (200, 302)
    assert superuser_client.get(reverse("admin:gates_gatedecision_add")).status_code == 403


def test_the_admin_shows_a_decision_read_only(decision, superuser_client):
    change = reverse("admin:gates_gatedecision_change", args=[decision.pk])
    response = superuser_client.get(change)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE gates_gatedecision SET rationale = 'rewritten'",
        "DELETE FROM gates_gatedecision",
        "UPDATE gates_criterionscore SET score = 0",
        "DELETE FROM gates_criterionscore",
    ],
)
def test_postgresql_refuses_raw_sql_changes(decision, statement):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert GateDecision.objects.get().rationale == ""
    assert CriterionScore.objects.count() == 5


@pytest.mark.postgres
def test_postgresql_still_accepts_new_decisions(decision, project, bob):
    record_decision(
        project=project,
        gate=2,
        decision="kill",
        actor=bob,
        rationale="Stop.",
        decided_on=datetime.date(2026, 1, 11),
    )
    assert GateDecision.objects.count() == 2
