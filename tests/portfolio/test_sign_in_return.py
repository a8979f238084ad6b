"""A form sent while signed out comes back to its page after signing in (portfolio.web.sign_in_return)."""

from __future__ import annotations

import pytest
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from tests.builders import PASSWORD
from tests.gates.test_decision_create import post_data

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


def sign_in_to(page: str) -> str:
    return redirect_to_login(page)["Location"]


def test_a_form_posted_to_its_own_page_comes_back_to_it(client, project):
    url = reverse("business_case_edit", args=[project.key])
    response = client.post(url, {"customer_problem": "Typed for hours"}, HTTP_REFERER=SITE + url)
    assert response.status_code == 302
    assert response["Location"] == sign_in_to(url)


def test_a_form_posted_elsewhere_comes_back_to_the_page_it_was_sent_from(client, project, bob):
    review = reverse("gate_review", args=[project.key])
    response = client.post(
        reverse("decision_create", args=[project.key]),
        post_data(rationale="Typed for hours"),
        HTTP_REFERER=f"{SITE}{review}?recorded=0",
    )
    assert response.status_code == 302
    assert response["Location"] == sign_in_to(f"{review}?recorded=0")
    # Signing in there goes back to the review, where the form is, not to a POST-only URL.
    signed_in = client.post(
        response["Location"], {"username": bob.email, "password": PASSWORD}, follow=False
    )
    assert signed_in["Location"] == f"{review}?recorded=0"


def test_without_a_referer_it_goes_back_to_the_address_posted_to(client, project):
    url = reverse("decision_create", args=[project.key])
    response = client.post(url, post_data())
    assert response["Location"] == sign_in_to(url)


def test_another_sites_referer_is_ignored(client, project):
    url = reverse("decision_create", args=[project.key])
    response = client.post(url, post_data(), HTTP_REFERER="https://evil.example/steal")
    assert response["Location"] == sign_in_to(url)


def test_htmx_loads_the_sign_in_page_in_the_window_not_in_its_region(client, project):
    review = reverse("gate_review", args=[project.key])
    response = client.post(
        reverse("decision_create", args=[project.key]),
        post_data(rationale="Typed for hours"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=SITE + review,
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == sign_in_to(review)


def test_a_signed_in_persons_redirects_are_left_alone(client, project, bob):
    client.force_login(bob)
    response = client.post(
        reverse("decision_create", args=[project.key]),
        post_data(),
        HTTP_REFERER=SITE + reverse("home"),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?recorded=1")


def test_a_page_opened_while_signed_out_is_left_alone(client, project):
    url = reverse("gate_review", args=[project.key])
    response = client.get(url, HTTP_REFERER=SITE + reverse("home"))
    assert response["Location"] == sign_in_to(url)
