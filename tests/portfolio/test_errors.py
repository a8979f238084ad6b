"""Domain errors map themselves: a refusal of permission is a 403, a broken rule a form message."""

from __future__ import annotations

import pytest
from django import forms
from django.core import exceptions as django_exceptions
from django.urls import reverse

from portfolio import services
from portfolio.errors import DomainError, PermissionDenied, add_domain_error


class _Form(forms.Form):
    amount = forms.IntegerField()


def test_a_domain_permission_refusal_is_djangos():
    assert issubclass(PermissionDenied, django_exceptions.PermissionDenied)
    assert issubclass(PermissionDenied, DomainError)


def test_a_domain_error_goes_beside_its_field_or_above_the_form():
    form = _Form({"amount": "1"})
    form.is_valid()
    add_domain_error(form, DomainError("Too much.", field="amount"))
    add_domain_error(form, DomainError("Not today.", field="no_such_field"))
    assert form.errors["amount"] == ["Too much."]
    assert form.non_field_errors() == ["Not today."]


def test_a_permission_refusal_is_not_put_on_a_form():
    form = _Form({"amount": "1"})
    form.is_valid()
    with pytest.raises(PermissionDenied):
        add_domain_error(form, PermissionDenied("No."))
    assert not form.errors


def test_a_view_turns_a_service_refusal_into_the_403_page(client, project, alice, monkeypatch):
    """The view checks first; when only the service says no, the person still gets a 403."""

    def refuse(**kwargs):
        raise PermissionDenied("Only the project's researcher may do this.")

    monkeypatch.setattr(services, "register_artifact", refuse)
    client.force_login(alice)
    response = client.post(
        reverse("artifact_create", args=[project.key]),
        {"kind": "model", "name": "Triage", "description": "", "location": ""},
    )
    assert response.status_code == 403
    assert "Only the project&#x27;s researcher may do this." in response.content.decode()
