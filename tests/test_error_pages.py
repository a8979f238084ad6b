"""The error pages (400, 403, 404, 500 and the expired form), as served with DEBUG off.

400, 500 and the CSRF page are rendered by Django without a request, so they must
not need one; the 500 page must not need the database either, since a broken
database is one reason to show it.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.views.defaults import bad_request, server_error

from portfolio.models import Status
from portfolio.urls import urlpatterns as site_urlpatterns
from tests.builders import PASSWORD, make_project


def boom(request):
    raise RuntimeError("a bug")


# For the 500 test: the site's URLs and one view that fails (pytest.mark.urls).
urlpatterns = [path("boom/", boom, name="boom"), *site_urlpatterns]


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _assert_plain_page(response, title: str) -> str:
    html = response.content.decode()
    assert title in html
    assert "Traceback" not in html and "Exception" not in html
    # The Content-Security-Policy forbids inline scripts and styles.
    assert "<script>" not in html and "style=" not in html and "<style" not in html
    return html


def test_an_unknown_address_gets_the_404_page(client, alice):
    client.force_login(alice)

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = _assert_plain_page(response, "Page not found")
    assert f'href="{reverse("project_list")}"' in html
    assert "Alice Researcher" in html  # the page keeps the site's navigation


def test_the_404_page_works_signed_out(client, db):
    response = client.get("/no/such/page/")

    # Unknown addresses are not hidden behind the sign-in page: nothing there to protect.
    assert response.status_code == 404
    _assert_plain_page(response, "Page not found")


def test_another_researchers_draft_gets_the_404_page_without_its_title(client, alice, rita):
    draft = make_project(
        key="SECRET-1", title="Confidential idea", status=Status.DRAFT, researcher=alice
    )
    client.force_login(rita)

    response = client.get(reverse("project_detail", args=[draft.key]))

    assert response.status_code == 404
    html = _assert_plain_page(response, "Page not found")
    assert "Confidential idea" not in html


def test_a_refusal_gets_the_403_page_with_its_reason(client, alice):
    client.force_login(alice)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 403
    html = _assert_plain_page(response, "Not allowed")
    assert "The portfolio dashboard is for executives, product managers and admins." in html
    # The reason stands alone: a refusal for the project's state is not about a role.
    assert "ask an administrator for the role" not in html


def test_a_refusal_without_a_reason_gets_a_general_one(client, rita, project):
    client.force_login(rita)

    response = client.get(reverse("spend_create", args=[project.key]))

    assert response.status_code == 403
    html = _assert_plain_page(response, "Not allowed")
    assert "Your role does not allow this page or this change." in html
    assert "ask an administrator for the role that allows it" in html


def test_a_form_over_the_size_limit_gets_the_400_page(client, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(alice)

    response = client.post(reverse("proposal_create"), {"title": "x" * 20_000})

    assert response.status_code == 400
    html = _assert_plain_page(response, "Request not understood")
    assert "larger than this site accepts" in html


def test_the_size_limit_holds_before_the_csrf_check_reads_the_form(alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(reverse("proposal_create"))  # sets the CSRF cookie, as a browser has it
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse("proposal_create"), {"csrfmiddlewaretoken": token, "title": "x" * 20_000}
    )

    assert response.status_code == 400
    _assert_plain_page(response, "Request not understood")


def test_an_upload_with_an_oversized_text_field_gets_the_400_page(client, adam, settings):
    """Files count against IMPORT_UPLOAD_MAX_BYTES; the form's other fields against this."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(adam)
    upload = SimpleUploadedFile("projects.csv", b"key\n" * 10_000, content_type="text/csv")

    response = client.post(
        reverse("portfolio_import"), {"projects": upload, "replace": "x" * 20_000}
    )

    assert response.status_code == 400
    _assert_plain_page(response, "Request not understood")


def test_too_many_fields_get_the_400_page(client, alice):
    client.force_login(alice)

    response = client.post(reverse("proposal_create"), {f"f{n}": "1" for n in range(1500)})

    assert response.status_code == 400
    _assert_plain_page(response, "Request not understood")


def test_an_expired_form_gets_the_csrf_page(alice):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("login"), {"username": "alice@example.com", "password": PASSWORD}
    )

    assert response.status_code == 403
    html = _assert_plain_page(response, "This form has expired")
    assert "reload the page" in html


@pytest.mark.urls("tests.test_error_pages")
def test_a_bug_gets_the_500_page_without_a_traceback(alice):
    client = Client(raise_request_exception=False)
    client.force_login(alice)

    response = client.get("/boom/")

    assert response.status_code == 500
    html = _assert_plain_page(response, "Something went wrong")
    assert "a bug" not in html


def test_the_500_page_needs_no_database_and_no_request():
    # No db fixture: any query would fail this test.
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    _assert_plain_page(response, "Something went wrong")


def test_the_400_page_renders_without_a_request(db):
    response = bad_request(RequestFactory().get("/"), exception=ValueError("bad"))

    assert response.status_code == 400
    _assert_plain_page(response, "Request not understood")


def test_under_debug_a_refused_htmx_form_is_not_written_over_the_page(client, settings, alice):
    # django-htmx's debug script (added by its htmx_script tag under DEBUG) replaces the whole
    # document with any 400 answer; the forms here answer a refused change with 400 and the
    # region to swap in, so `make run` (DEBUG=true) must not load it.
    settings.DEBUG = True
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert "django_htmx/htmx-2.min.js" in html
    assert "django-htmx.js" not in html and "data-debug" not in html
