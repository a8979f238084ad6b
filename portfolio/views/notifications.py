"""A person's notifications (newest first, mark read) and their e-mail choices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portfolio import services
from portfolio.errors import DomainError, add_domain_error
from portfolio.models import Notification
from portfolio.notification_forms import NotificationSettingsForm
from portfolio.services.notifications import kinds_for, preferences_of, unread_count
from portfolio.views.common import page_of, posted, wants_partial

PER_PAGE = 25


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user).order_by(
        "-created_at", "-id"
    )
    page = page_of(Paginator(notifications, PER_PAGE), request)
    return render(request, "portfolio/notifications.html", {"page": page})


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notification_list")


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's notification does not exist, as far as this person can tell.
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(notification=notification, actor=request.user)
    if wants_partial(request):
        return render(
            request,
            "portfolio/notifications.html#item",
            {"notification": notification, "unread_count": unread_count(request.user), "oob": True},
        )
    return _back(request)


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = services.mark_all_read(actor=request.user)
    messages.success(
        request,
        f"{marked} notification{'s' if marked != 1 else ''} marked as read."
        if marked
        else "Nothing was unread.",
    )
    return _back(request)


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    chosen = preferences_of(request.user)
    initial = {"overall": chosen.get("", "now"), **{k: v for k, v in chosen.items() if k}}
    form = NotificationSettingsForm(posted(request), initial=initial, kinds=kinds_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_notification_preferences(
                person=request.user,
                actor=request.user,
                overall=form.cleaned_data["overall"],
                by_kind=form.by_kind(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your notification choices are saved.")
            return redirect("notification_settings")
    return render(
        request,
        "portfolio/notification_settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
