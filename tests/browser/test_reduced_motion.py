"""Someone whose system asks for reduced motion gets no fades; everyone else keeps them."""

from __future__ import annotations

import pytest

from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

INDICATOR_FADE_JS = "getComputedStyle(document.querySelector('#list-loading')).transitionDuration"


@pytest.mark.parametrize(("motion", "fade"), [("reduce", "0s"), ("no-preference", "0.2s")])
def test_the_updating_indicator_fades_only_without_reduced_motion(
    browser, live_server, login, bob, motion, fade
):
    context = browser.new_context(reduced_motion=motion)
    try:
        page = context.new_page()
        login(page, live_server, bob.email, PASSWORD)
        page.goto(f"{live_server.url}/projects/")
        assert page.evaluate(INDICATOR_FADE_JS) == fade
    finally:
        context.close()
