"""People and roles (admins), and a person's own password change: both audited.

Roles change only through ``portfolio.services.people``, the same service the
Django admin calls; the page offers only the changes its viewer may make. Removing the
Product manager or the Researcher role from someone who still owns open projects in it
asks first (people_remove_role.html), then takes a second POST with ``confirm=yes``.
A person locked out of signing in (django-axes) is shown so, with an Unlock button for
those who may change their roles (``portfolio.services.sign_in_locks``). The page searches
people by name or e-mail (``?q=``); a role change or an unlock returns to the page as it was
(its search and page, sent back by the row's form).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from portfolio import access
from portfolio.errors import DomainError
from portfolio.forms import SEARCH_MAX, Form, search_field
from portfolio.models import Role, User
from portfolio.process import OPEN_STATUSES
from portfolio.services import people, sign_in_locks
from portfolio.views.common import page_of

PER_PAGE = 50


class PeopleSearchForm(Form):
    """The People page's search, in the URL: part of a name or an e-mail address."""

    q = search_field(
        "Name or e-mail",
        too_long="Shorten it to at most %(limit_value)d characters (you typed %(show_value)d).",
    )


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    action = forms.ChoiceField(choices=[("grant", "Grant"), ("remove", "Remove")])
    # Sent by the confirmation's button: remove the role although open projects are left.
    confirm = forms.BooleanField(required=False)


# What a person can no longer do for the open projects they own once a role is removed.
WITHOUT_THE_ROLE = {
    Role.PRODUCT_MANAGER: "decide their gates or write their business cases",
    Role.RESEARCHER: "write their feasibility studies",
}


def owned_projects_link(person: User, role: str) -> str:
    """The project list, showing the open projects ``person`` owns in ``role`` (its Product
    manager or Researcher filter, and the open statuses: the ones the question counts);
    the Django admin's question links to it too."""
    query = [
        ("pm" if role == Role.PRODUCT_MANAGER else "researcher", person.email),
        *(("status", status) for status in OPEN_STATUSES),
    ]
    return f"{reverse('project_list')}?{urlencode(query)}"


def _confirm_removal(request: HttpRequest, left: people.OpenProjectsLeft) -> HttpResponse:
    search, page_number = _sent_back(request)
    context = {
        "search": search,
        "page_number": page_number,
        "back": _list_url(search, page_number),
        "person": left.person,
        "role": left.role,
        "count": left.count,
        "keys": left.keys,
        "more": left.count - len(left.keys),
        "owner": "product manager" if left.role == Role.PRODUCT_MANAGER else "researcher",
        "without_the_role": WITHOUT_THE_ROLE[left.role],
        "projects_link": owned_projects_link(left.person, left.role),
    }
    return render(request, "portfolio/people_remove_role.html", context)


def _list_url(q: str = "", page: str = "") -> str:
    """The People page with its search and page (either left out when empty)."""
    query = {name: value for name, value in (("q", q), ("page", page)) if value}
    return reverse("people_list") + (f"?{urlencode(query)}" if query else "")


def _sent_back(request: HttpRequest) -> tuple[str, str]:
    """The search and the page a row's form was sent from (its hidden fields), as read."""
    q = " ".join(request.POST.get("q", "").split())[:SEARCH_MAX]
    page = request.POST.get("page", "")
    return q, page if page.isdigit() else ""


def _back(request: HttpRequest) -> str:
    """The People page as a row's form was sent from, its search and page kept: a role
    granted to someone searched for is shown beside them again."""
    return _list_url(*_sent_back(request))


def _may_unlock(actor: User, person: User) -> bool:
    try:
        sign_in_locks.check_unlock(actor=actor, person=person)
    except DomainError:
        return False
    return True


def _may(actor: User, person: User, role: str, grant: bool) -> bool:
    try:
        people.check_role_change(actor=actor, person=person, role=role, grant=grant)
    except DomainError:
        return False
    return True


@require_GET
@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_roles(request.user):
        raise PermissionDenied("People and roles are managed by admins.")
    form = PeopleSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    everyone = (
        User.objects.prefetch_related("groups")
        # A deactivated product manager's open projects have no chair: the row links to them.
        .annotate(
            chairs_open=Count(
                "managed_projects", filter=Q(managed_projects__status__in=OPEN_STATUSES)
            )
        )
        .order_by("email")
    )
    if not form.is_valid():
        # A search that cannot be read lists nobody, rather than everyone as if it matched.
        everyone = everyone.none()
    elif search:
        everyone = everyone.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    page = page_of(Paginator(everyone, PER_PAGE), request)
    locks = sign_in_locks.locks_of(page)
    rows = []
    for person in page:
        held = {group.name for group in person.groups.all()}
        lock = locks.get(person.pk)
        rows.append(
            {
                "person": person,
                "chairless": (
                    owned_projects_link(person, Role.PRODUCT_MANAGER)
                    if not person.is_active and person.chairs_open
                    else ""
                ),
                "lock": lock,
                "unlockable": lock is not None and _may_unlock(request.user, person),
                "roles": [
                    {"name": role, "removable": _may(request.user, person, role, grant=False)}
                    for role in Role.values
                    if role in held
                ],
                "grantable": [
                    role
                    for role in Role.values
                    if role not in held and _may(request.user, person, role, grant=True)
                ],
            }
        )
    context = {
        "form": form,
        "search": search,
        "page": page,
        "page_number": str(page.number) if page.number > 1 else "",
        "rows": rows,
    }
    return render(request, "portfolio/people.html", context)


@require_POST
@login_required
def person_roles(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_manage_roles(request.user):
        raise PermissionDenied("People and roles are managed by admins.")
    person = get_object_or_404(User, pk=pk)
    form = RoleChangeForm(request.POST)
    back = _back(request)
    if not form.is_valid():
        messages.error(request, "Choose a role to grant or remove.")
        return redirect(back)
    role, grant = form.cleaned_data["role"], form.cleaned_data["action"] == "grant"
    try:
        changed = people.set_role(
            person=person,
            role=role,
            actor=request.user,
            grant=grant,
            confirmed=form.cleaned_data["confirm"],
        )
    except PermissionDenied:
        raise
    except people.OpenProjectsLeft as left:
        return _confirm_removal(request, left)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    if not changed:
        messages.info(
            request,
            f"{person.email} {'already has' if grant else 'does not have'} the {role} role.",
        )
    elif grant:
        messages.success(request, f"{person.email} now has the {role} role.")
    else:
        messages.success(request, f"{person.email} no longer has the {role} role.")
    return redirect(back)


@require_POST
@login_required
def person_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Forget a locked-out person's failed sign-ins, so that they may sign in again now."""
    if not access.can_manage_roles(request.user):
        raise PermissionDenied("People and roles are managed by admins.")
    person = get_object_or_404(User, pk=pk)
    try:
        lock = sign_in_locks.unlock(person=person, actor=request.user)
    except PermissionDenied:
        raise
    except DomainError as error:
        messages.info(request, error.message)
        return redirect(_back(request))
    messages.success(
        request,
        f"{person.email} is unlocked and may sign in again "
        f"(the {lock.failures_text} are forgotten).",
    )
    return redirect(_back(request))


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, with the change written to the audit trail in the same transaction; not
    there (404) when password sign-in is turned off (PASSWORD_SIGN_IN=false)."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.PASSWORD_SIGN_IN:
            raise Http404("Passwords are not used here: sign in with your company's account.")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            people.record_password_change(person=form.user, actor=form.user)
        return response

    def form_invalid(self, form):
        # A refused form answers 400, as every other form of the app does.
        response = super().form_invalid(form)
        response.status_code = 400
        return response
