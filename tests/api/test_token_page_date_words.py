"""The API tokens page says a date that is none as the API says it, with an example:
"Enter a date as YYYY-MM-DD, e.g. 2027-01-01." (the API's: "spent_on: Enter a date as
YYYY-MM-DD, e.g. 2026-03-02."). The page's example is a day a token may expire on, a month
ahead, so that typing it as told is taken.

Before, the page said "Enter a date as YYYY-MM-DD.", without an example.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.schemas import DATE_MESSAGE

SHAPE = re.compile(r"Enter a date as YYYY-MM-DD, e\.g\. ([0-9]{4}-[0-9]{2}-[0-9]{2})\.")


@pytest.mark.parametrize("typed", ["next year", "2027/01/01", "01-01-2027", "２０２７-01-01"])
def test_a_token_s_expiry_that_is_no_date_is_said_with_an_example(client, alice, typed):
    client.force_login(alice)
    data = {"name": "Notebook", "scope": "read", "expires_on": typed}
    response = client.post(reverse("api_tokens"), data)
    assert response.status_code == 400
    [said] = response.context["form"].errors["expires_on"]
    shape = SHAPE.fullmatch(said)
    assert shape, said
    assert html.escape(said) in response.content.decode()
    assert not ApiToken.objects.exists()

    # The same words as the API's, the example a day the token may expire on: taken as told.
    assert SHAPE.fullmatch(DATE_MESSAGE)
    example = datetime.date.fromisoformat(shape[1])
    assert example == timezone.localdate() + datetime.timedelta(days=30)
    again = client.post(reverse("api_tokens"), data | {"expires_on": shape[1]})
    assert again.status_code == 201
    assert ApiToken.objects.get().expires_at is not None
