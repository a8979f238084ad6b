"""An artifact's description stands apart from the facts above it.

On /artifacts/AR-…/ the description ("Produced by GL-0002 (…)") sat directly under "Where",
with no space between them, and read as one more fact.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tests.browser.test_form_polish import sign_in_to_the_demo

pytestmark = pytest.mark.django_db(transaction=True)

# The gap in px between the facts list and the first line of the description under it.
GAP_JS = """() => {
  const facts = document.querySelector('#about-heading').closest('section').querySelector('dl.facts');
  const description = facts.nextElementSibling;
  const first = description.querySelector('p') || description;
  return first.getBoundingClientRect().top - facts.getBoundingClientRect().bottom;
}"""


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_description_is_set_apart_from_the_facts(page, live_server, login, width):
    from portfolio.models import Artifact, Role

    page.set_viewport_size({"width": width, "height": 900})
    sign_in_to_the_demo(page, live_server, login, Role.EXECUTIVE)
    artifact = Artifact.objects.exclude(description="").exclude(location="").order_by("key")[0]
    page.goto(f"{live_server.url}/artifacts/{artifact.key}/")

    assert page.evaluate(GAP_JS) >= 12  # 0 before: the description touched "Where"
