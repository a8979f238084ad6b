"""The proposal form: a generated key, a percentage, marked fields, people by name, one step."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio import services
from portfolio.models import AuditEntry, Project, Role, Status
from tests.builders import make_project, make_user
from tests.portfolio.test_proposal_create import valid

pytestmark = pytest.mark.django_db

URL = reverse("proposal_create")


def field_html(body: str, name: str) -> str:
    start = body.index(f'id="field-{name}"')
    return body[start : body.index('<div class="field', start + 1)]


def test_it_offers_the_next_free_key_from_the_prefix_setting(client, alice, bob, settings):
    settings.PROPOSAL_KEY_PREFIX = "RX"
    make_project(key="RX-0007")
    make_project(key="rx-0002")
    make_project(key="RX-ONE")  # not numbered: ignored
    client.force_login(alice)
    body = client.get(URL).content.decode()
    assert re.search(r'name="key" value="RX-0008"', body)


def test_an_empty_key_gets_the_next_free_one(client, alice, bob):
    make_project(key="PR-0041")
    client.force_login(alice)
    response = client.post(URL, valid(bob, key=""))
    assert response.status_code == 302
    assert Project.objects.filter(key="PR-0042", status=Status.DRAFT).exists()


def test_the_offered_key_can_be_changed(client, alice, bob):
    client.force_login(alice)
    client.post(URL, valid(bob, key="CHURN-26"))
    assert Project.objects.filter(key="CHURN-26").exists()


def test_a_key_taken_meanwhile_is_refused_with_the_next_free_one_named(client, alice, bob):
    client.force_login(alice)
    offered = re.search(r'name="key" value="([^"]+)"', client.get(URL).content.decode())[1]
    make_project(key=offered)  # someone else saved first
    response = client.post(URL, valid(bob, key=offered))
    assert response.status_code == 400
    body = response.content.decode()
    message = f"The key {offered} is already taken: choose another (the next free one is PR-0002)."
    assert message in field_html(body, "key")
    assert Project.objects.filter(key=offered).count() == 1


def test_probability_is_typed_as_a_percentage_and_stored_as_a_fraction(client, alice, bob):
    client.force_login(alice)
    client.post(URL, valid(bob, probability_of_success="35.5"))
    project = Project.objects.get(key="CHURN-26")
    assert project.probability_of_success == Decimal("0.355")
    body = client.get(reverse("proposal_edit", args=[project.key])).content.decode()
    assert 'name="probability_of_success" value="35.5"' in body
    assert "Probability of success (%)" in body


def test_the_projected_values_name_their_currency(client, alice, bob, settings):
    """Low, Expected and High said "Annual value" and no currency; the architect's estimate
    names it ("Cost to reach and stay in production, in EUR"), and so does this form now."""
    client.force_login(alice)
    assert "<legend>Projected annual value, in EUR</legend>" in client.get(URL).content.decode()
    project = make_project(key="DRAFT-1", researcher=alice, status=Status.DRAFT)
    settings.CURRENCY = "CHF"
    body = client.get(reverse("proposal_edit", args=[project.key])).content.decode()
    assert "<legend>Projected annual value, in CHF</legend>" in body


def test_a_refused_percentage_is_shown_as_typed(client, alice, bob):
    client.force_login(alice)
    response = client.post(URL, valid(bob, probability_of_success="140"))
    assert response.status_code == 400
    field = field_html(response.content.decode(), "probability_of_success")
    assert 'value="140"' in field
    assert "Enter a number from 0 to 100." in field


def test_a_draft_needs_only_its_title_and_the_form_marks_it(client, alice, bob):
    client.force_login(alice)
    body = client.get(URL).content.decode()
    assert 'class="required-mark"' in field_html(body, "title")
    assert re.search(r'name="title"[^>]*required', body)
    for name in ("key", "bucket", "product_manager", "projected_expected", "hypothesis"):
        assert "required-mark" not in field_html(body, name), name
    for name in ("bucket", "product_manager", "probability_of_success", "hypothesis"):
        assert "Needed to submit." in field_html(body, name), name


def test_a_draft_with_only_a_title_is_saved(client, alice):
    client.force_login(alice)
    response = client.post(URL, {"key": "", "title": "Forecast spare parts"})
    assert response.status_code == 302
    draft = Project.objects.get(title="Forecast spare parts")
    assert draft.is_draft and draft.key == "PR-0001"
    assert draft.product_manager is None and draft.probability_of_success is None
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Before you submit, fill in the research type, the strategic bucket" in page
    assert "Not chosen yet" in page and "Not estimated yet" in page
    assert reverse("proposal_submit", args=[draft.key]) not in page  # not until complete
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("project_list")).status_code == 200
    assert client.get(reverse("proposal_edit", args=[draft.key])).status_code == 200


def test_submitting_an_incomplete_draft_names_each_missing_field(client, alice):
    client.force_login(alice)
    response = client.post(URL, {"title": "Forecast spare parts", "action": "submit"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the product manager before submitting." in field_html(body, "product_manager")
    assert "Give the strategic bucket before submitting." in field_html(body, "bucket")
    assert not Project.objects.exists()


def test_the_saved_incomplete_draft_cannot_be_submitted_from_its_page(client, alice):
    draft = services.create_proposal(actor=alice, title="Just an idea")
    client.force_login(alice)
    response = client.post(reverse("proposal_submit", args=[draft.key]))
    assert response.status_code == 400
    assert "Give the research type before submitting." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_submitted_project_must_be_complete_in_the_database(alice, bob):
    from django.db import IntegrityError, transaction

    draft = services.create_proposal(actor=alice, title="Just an idea")
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=draft.pk).update(
            status=Status.ACTIVE, current_gate=1, submitted_on="2026-01-05"
        )


def test_product_managers_are_listed_by_name_in_name_order(client, alice, bob):
    make_user("zed@example.com", Role.PRODUCT_MANAGER, full_name="anna Zed")
    make_user("nobody@example.com", Role.PRODUCT_MANAGER)  # no name: shown by e-mail
    client.force_login(alice)
    body = client.get(URL).content.decode()
    options = re.findall(
        r'<option value="\d+">([^<]+)</option>', field_html(body, "product_manager")
    )
    assert options == ["anna Zed", "Bob Product", "nobody@example.com"]


def test_submit_for_gate_1_saves_and_submits_in_one_step(
    client, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid(bob, action="submit"), follow=True)
    project = Project.objects.get(key="CHURN-26")
    assert project.status == Status.ACTIVE and project.current_gate == 1
    assert "CHURN-26 is submitted and waits at gate 1" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["bob@example.com"]]
    actions = list(AuditEntry.objects.filter(project=project).values_list("action", flat=True))
    assert sorted(actions) == ["proposal.created", "proposal.submitted"]


def test_submitting_without_the_case_saves_nothing_and_says_what_is_missing(
    client, alice, bob, mailoutbox
):
    client.force_login(alice)
    response = client.post(URL, valid(bob, action="submit", hypothesis=""))
    assert response.status_code == 400
    body = response.content.decode()
    assert "The proposal was not submitted" in body
    assert "Write the hypothesis before submitting." in field_html(body, "hypothesis")
    assert 'value="Predict churn"' in body  # what was typed is kept
    assert not Project.objects.exists()
    assert mailoutbox == []


def test_a_draft_is_submitted_from_its_edit_form(client, alice, bob):
    draft = make_project(key="D-1", researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(alice)
    response = client.post(
        reverse("proposal_edit", args=[draft.key]),
        valid(bob, key="D-1", title="Final title", action="submit"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Final title" and draft.status == Status.ACTIVE


def test_a_refused_edit_keeps_the_links_on_the_saved_key(client, alice, bob):
    draft = make_project(key="D-1", researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(alice)
    response = client.post(
        reverse("proposal_edit", args=[draft.key]), valid(bob, key="D-2", title="")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'action="{reverse("proposal_edit", args=["D-1"])}"' in body
    assert 'value="D-2"' in body


def test_save_draft_and_submit_sit_side_by_side_save_first(client, alice, bob):
    client.force_login(alice)
    body = client.get(URL).content.decode()
    save = body.index('value="save"')
    submit = body.index('value="submit"')
    assert save < submit
    assert "Save draft" in body[save:submit] and "Submit for gate 1" in body[submit:]


def test_the_next_key_service_counts_past_the_highest(db):
    make_project(key="PR-0009")
    assert services.next_proposal_key() == "PR-0010"
