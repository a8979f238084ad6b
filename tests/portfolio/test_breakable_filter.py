"""The e-mail addresses on phone cards break after "@" and dots, and stay escaped."""

from __future__ import annotations

from django.template import Context, Template


def render(value) -> str:
    return Template("{% load words %}{{ value|breakable }}").render(Context({"value": value}))


def test_an_address_may_break_after_its_at_and_dots():
    assert render("goran.dubois@demo.greenlight") == "goran.<wbr>dubois@<wbr>demo.<wbr>greenlight"


def test_markup_in_an_address_or_other_text_is_escaped():
    assert render("<b>x</b>@a.b") == "&lt;b&gt;x&lt;/b&gt;@<wbr>a.<wbr>b"
    assert render("Ann <script>") == "Ann &lt;script&gt;"
    assert render(None) == ""


def test_an_address_within_text_may_break_too():
    assert render("Product manager: Bob → ann@x.io") == (
        "Product manager: Bob → ann@<wbr>x.<wbr>io"
    )
    assert render("a@b.c changed <it> in the admin") == (
        "a@<wbr>b.<wbr>c changed &lt;it&gt; in the admin"
    )
    # Not an address: "@" twice in one word, or none.
    assert render("a@b@c.d and e.f") == "a@b@c.d and e.f"
