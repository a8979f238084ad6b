"""In the admin too, a refused field is described by its message first, then its help, and
both elements exist (the form renderer's BoundField: portfolio/web/forms.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gates.models import Criterion

pytestmark = pytest.mark.django_db


def test_a_refused_admin_field_names_its_message_then_its_help(client, adam):
    criterion = Criterion.objects.filter(kind=Criterion.Kind.SHOULD_MEET).first()
    client.force_login(adam)
    url = reverse("admin:gates_criterion_change", args=[criterion.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    data["weight"] = "-1"

    html = client.post(url, data).content.decode()

    weight = re.search(r'<input[^>]*name="weight"[^>]*>', html).group(0)
    described_by = re.search(r'aria-describedby="([^"]+)"', weight).group(1).split()
    assert described_by == ["id_weight_error", "id_weight_helptext"]
    error = re.search(r'id="id_weight_error"[^>]*>(.*?)</ul>', html, re.S)
    assert error and "greater than or equal to 0" in error.group(1)
    assert re.search(r'id="id_weight_helptext"[^>]*>\s*(<div>)?\s*Weight of a should-meet', html)
