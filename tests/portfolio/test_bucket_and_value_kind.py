"""The bucket is the strategic category, the value kind what the projected value counts: the
proposal form says so, offers the kind a bucket suggests until one is chosen, and the gate
review labels the pair so that "Efficiency (cost savings)" beside revenue reads as two things.
Any pair is still taken (the interchange format allows it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio.models import Status
from tests.builders import make_project

pytestmark = pytest.mark.django_db


def checked_kind(page: str) -> str | None:
    for kind in ("revenue", "cost_savings"):
        start = page.index(f'name="value_kind" value="{kind}"')
        tag = page[page.rindex("<input", 0, start) : page.index(">", start)]
        if "checked" in tag:
            return kind
    return None


def test_the_value_kind_s_help_says_what_each_of_the_pair_is(client, alice):
    client.force_login(alice)
    page = client.get(reverse("proposal_create")).content.decode()
    assert "The bucket is the strategic category; this is what the projected value counts." in page
    assert "data-value-kind-for=" in page and "js/value-kind.js" in page


@pytest.mark.parametrize(
    ("bucket", "kind"), [("efficiency", "cost_savings"), ("revenue", "revenue")]
)
def test_a_draft_without_a_value_kind_is_offered_its_bucket_s(client, alice, bucket, kind):
    draft = make_project(researcher=alice, status=Status.DRAFT, bucket=bucket, value_kind="")
    client.force_login(alice)
    page = client.get(reverse("proposal_edit", args=[draft.key])).content.decode()
    assert checked_kind(page) == kind


def test_a_chosen_value_kind_is_kept_whatever_the_bucket(client, alice):
    draft = make_project(
        researcher=alice, status=Status.DRAFT, bucket="efficiency", value_kind="revenue"
    )
    client.force_login(alice)
    page = client.get(reverse("proposal_edit", args=[draft.key])).content.decode()
    assert checked_kind(page) == "revenue"


def test_the_gate_review_labels_the_bucket_as_the_strategic_category(client, bob, project):
    client.force_login(bob)
    page = client.get(reverse("gate_review", args=[project.key])).content.decode()
    assert "bucket (strategic category)" in page
    assert "(what the projected value counts)" in page
