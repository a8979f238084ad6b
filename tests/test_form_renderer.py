"""Every form is drawn by one field template and one error summary (templates/_form/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portfolio.models import SpendEntry

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_there_is_one_field_template_and_one_error_summary():
    fields = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("_field.html"))
    errors = sorted(
        p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("_form_errors.html")
    )
    assert fields == [] and errors == []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "_field.html" not in text, template
        assert "_form_errors.html" not in text, template


def test_a_refused_form_answers_400_with_each_error_beside_its_field(client, project, alice):
    client.force_login(alice)
    url = reverse("spend_create", args=[project.key])
    response = client.post(url, {"spent_on": "2026-01-20", "amount": "-3", "category": ""})
    assert response.status_code == 400
    body = response.content.decode()
    summary = body.index("data-error-summary")
    amount = body.index('id="field-amount"')
    category = body.index('id="field-category"')
    assert summary < amount < category
    # The summary names each field and links to it; focus lands on it (greenlight.js).
    assert '<a href="#id_amount">Amount: ' in body[summary:amount]
    assert '<a href="#id_category">Category: ' in body[summary:amount]
    assert 'tabindex="-1"' in body[summary - 200 : amount]
    # Beside the field: its message, and the widget says it is invalid and where the message is.
    widget = re.search(r'<input[^>]*name="amount"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in widget
    assert "id_amount_error" in widget
    assert 'id="id_amount_error"' in body[amount:category]
    assert not SpendEntry.objects.exists()


def test_required_fields_are_marked_for_eyes_and_for_assistive_technology(client, project, alice):
    client.force_login(alice)
    body = client.get(reverse("spend_create", args=[project.key])).content.decode()
    amount = body[body.index('id="field-amount"') : body.index('id="field-category"')]
    assert 'class="required-mark"' in amount
    assert re.search(r'<input[^>]*name="amount"[^>]*required', amount)
    assert "required-mark" not in body[body.index('id="field-note"') : body.index('name="note"')]
