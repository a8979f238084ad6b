"""One read policy (portfolio.access.READ_BY_EVERY_ROLE): the group permissions follow it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portfolio import access
from portfolio.models import Role
from tests.builders import add_business_case, add_estimate, add_study


@pytest.mark.parametrize("role", Role.values)
def test_every_role_group_may_view_what_every_page_shows(db, role):
    group = Group.objects.get(name=role)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert set(access.READ_BY_EVERY_ROLE) <= granted


def test_a_researcher_reads_the_business_case_and_the_estimate(client, alice, bob, carol, project):
    """Researchers could not view business cases by their permissions, yet every page showed them."""
    add_study(project, alice)
    add_estimate(project, carol)
    add_business_case(project, bob)
    client.force_login(alice)
    assert alice.has_perm("gates.view_businesscase")
    assert alice.has_perm("gates.view_architectureestimate")
    for name in ("business_case_edit", "architecture_estimate_edit", "feasibility_study_edit"):
        assert client.get(reverse(name, args=[project.key])).status_code == 200
