"""A person's notifications: the list, the header's unread count, mark read, e-mail choices."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio.models import Notification, NotificationPreference
from tests.builders import choose_email, make_notification

LIST = reverse("notification_list")
SETTINGS = reverse("notification_settings")


def unread_badge(body: str) -> str:
    start = body.index('id="unread-count"')
    return body[body.index(">", start) + 1 : body.index("</span>", start)]


def test_it_lists_my_notifications_newest_first_with_links(client, alice, bob, project):
    make_notification(bob, "Older", project=project)
    make_notification(bob, "Newer", project=project, read=True)
    make_notification(alice, "Not Bob's")
    client.force_login(bob)
    response = client.get(LIST)
    body = response.content.decode()
    assert [n.subject for n in response.context["page"]] == ["Newer", "Older"]
    assert "Not Bob's" not in body
    assert f'href="{project.get_absolute_url()}"' in body


def test_mark_all_as_read_is_offered_only_when_something_is_unread(client, bob):
    """With nothing unread (or nothing at all) the button did nothing but say so."""
    client.force_login(bob)
    assert "Mark all as read" not in client.get(LIST).content.decode()
    make_notification(bob, "Read already", read=True)
    assert "Mark all as read" not in client.get(LIST).content.decode()
    make_notification(bob, "Waiting")
    assert "Mark all as read" in client.get(LIST).content.decode()


def test_it_pages_them(client, bob):
    for n in range(30):
        make_notification(bob, f"Number {n:02d}")
    client.force_login(bob)
    first = client.get(LIST)
    assert len(first.context["page"]) == 25
    assert "Number 29" in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert [n.subject for n in second.context["page"]][-1] == "Number 00"


def test_an_empty_list_says_so(client, carol):
    client.force_login(carol)
    assert "Nothing has been handed to you yet." in client.get(LIST).content.decode()


def test_the_header_shows_the_unread_count_on_every_page(client, bob):
    make_notification(bob)
    make_notification(bob)
    make_notification(bob, read=True)
    client.force_login(bob)
    for url in (reverse("home"), reverse("project_list"), LIST):
        assert unread_badge(client.get(url).content.decode()).startswith("2<"), url


@pytest.mark.parametrize("size", [2, 60])
def test_the_count_is_one_query_whatever_the_number(
    client, bob, size, django_assert_max_num_queries
):
    for _ in range(size):
        make_notification(bob)
    client.force_login(bob)
    client.get(reverse("artifact_library"))  # warm the session
    with django_assert_max_num_queries(8) as counted:
        client.get(LIST)
    unread = [q for q in counted.captured_queries if "notification" in q["sql"].lower()]
    assert len(unread) == 3  # the count in the header, and the page's count and rows


def test_marking_one_read_without_javascript_returns_to_the_list(client, bob):
    notification = make_notification(bob)
    client.force_login(bob)
    response = client.post(reverse("notification_read", args=[notification.pk]), {"next": LIST})
    assert response.status_code == 302
    assert response.url == LIST
    notification.refresh_from_db()
    assert notification.is_read


def test_marking_one_read_by_htmx_answers_the_item_and_the_new_count(client, bob):
    notification = make_notification(bob, "Estimate needed")
    make_notification(bob)
    client.force_login(bob)
    response = client.post(
        reverse("notification_read", args=[notification.pk]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="notification-{notification.pk}"' in body
    assert "Mark as read" not in body
    assert 'hx-swap-oob="true"' in body
    assert unread_badge(body).startswith("1<")


def test_someone_elses_notification_is_not_found(client, alice, bob):
    notification = make_notification(alice)
    client.force_login(bob)
    assert client.post(reverse("notification_read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


def test_an_unsafe_next_goes_to_the_list(client, bob):
    notification = make_notification(bob)
    client.force_login(bob)
    response = client.post(
        reverse("notification_read", args=[notification.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == LIST


def test_mark_all_read_marks_only_mine(client, alice, bob):
    for _ in range(3):
        make_notification(bob)
    others = make_notification(alice)
    client.force_login(bob)
    response = client.post(reverse("notification_read_all"), follow=True)
    assert "3 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert not others.is_read
    assert unread_badge(response.content.decode()) == ""


def test_the_settings_page_saves_my_choices(client, bob):
    client.force_login(bob)
    assert client.get(SETTINGS).status_code == 200
    response = client.post(SETTINGS, {"overall": "digest", "vote_requested": "off"})
    assert response.status_code == 302
    chosen = dict(bob.notification_preferences.values_list("kind", "email"))
    assert chosen == {"": "digest", "vote_requested": "off"}
    page = client.get(SETTINGS)
    assert page.context["form"].initial == {"overall": "digest", "vote_requested": "off"}


def test_the_settings_page_refuses_an_unknown_choice_with_400(client, bob):
    choose_email(bob, "off")
    client.force_login(bob)
    response = client.post(SETTINGS, {"overall": "hourly"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert NotificationPreference.objects.get(person=bob).email == "off"


def test_the_settings_page_offers_only_the_kinds_a_persons_roles_can_bring(
    client, alice, bob, carol
):
    from gates.models import Gatekeeper

    Gatekeeper.objects.all().delete()  # no gate names anyone: only the chair is asked to vote
    client.force_login(alice)  # a researcher: told of decisions on her projects, nothing else
    body = client.get(SETTINGS).content.decode()
    assert "A gate decision is recorded" in body
    for kind in ("A proposal is submitted to you", "A cost estimate is needed", "zombie"):
        assert kind not in body
    assert "Your vote is requested" not in body
    client.force_login(carol)  # an architect
    body = client.get(SETTINGS).content.decode()
    assert "A cost estimate is needed" in body and "A gate decision is recorded" in body
    assert "A proposal is submitted to you" not in body and "zombie" not in body
    client.force_login(bob)  # a product manager: every kind but the architects'
    body = client.get(SETTINGS).content.decode()
    assert "Weekly digest of your zombie projects" in body and "Your vote is requested" in body
    assert "A cost estimate is needed" not in body


def test_a_gate_that_names_a_role_asks_them_to_vote(client, alice):
    from gates.models import Gate, Gatekeeper
    from portfolio.models import Role

    Gatekeeper.objects.all().delete()
    Gatekeeper.objects.create(gate=Gate.objects.get(number=3), kind="role", role=Role.RESEARCHER)
    client.force_login(alice)
    assert "Your vote is requested" in client.get(SETTINGS).content.decode()


def test_a_choice_for_a_kind_not_offered_is_kept(client, alice):
    choose_email(alice, "now", zombie_digest="off")  # chosen when she was a product manager
    client.force_login(alice)
    response = client.post(SETTINGS, {"overall": "digest", "decision_recorded": "now"})
    assert response.status_code == 302
    chosen = dict(alice.notification_preferences.values_list("kind", "email"))
    assert chosen == {"": "digest", "decision_recorded": "now", "zombie_digest": "off"}


def _asked_to_vote(django_capture_on_commit_callbacks, mailoutbox) -> list[str]:
    from gates.services import send_vote_reminders

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_vote_reminders()
    return sorted(m.to[0] for m in mailoutbox if "your vote" in m.subject)


def test_whoever_a_panel_seats_is_offered_vote_requests_even_without_the_role(
    client, adam, alice, pete, carol, mailoutbox, django_capture_on_commit_callbacks
):
    """The settings page offers vote requests to whoever the panel rule (portfolio.panels)
    may seat, not to a rougher copy of it: a product manager whose role was taken away
    while they still chair an open project, and an architect no longer one who wrote the
    estimate of a project at a gate naming its architect, are both still asked to vote."""
    from portfolio.models import Role
    from portfolio.services import people
    from tests.builders import add_estimate, make_project

    project = make_project(key="GL-0301", researcher=alice, product_manager=pete, current_gate=3)
    add_estimate(project, carol)
    people.remove_role(person=pete, role=Role.PRODUCT_MANAGER, actor=adam, confirmed=True)
    people.remove_role(person=carol, role=Role.ARCHITECT, actor=adam, confirmed=True)
    # Carol was asked when she wrote the estimate; Pete, who chairs, by the morning's run.
    assert _asked_to_vote(django_capture_on_commit_callbacks, mailoutbox) == [pete.email]
    asked = Notification.objects.filter(kind="vote_requested", project=project)
    assert sorted(asked.values_list("recipient__email", flat=True)) == [carol.email, pete.email]
    for person in (pete, carol):
        client.force_login(person)
        assert "Your vote is requested" in client.get(SETTINGS).content.decode()
