"""The API's pages for people: the docs, and one's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api import tokens
from api.forms import TokenForm
from api.models import ApiToken
from portfolio.errors import DomainError, add_domain_error


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI over the live schema, from django-ninja's bundled files (no CDN, no inline script)."""
    return render(request, "api/docs.html", {"schema_url": reverse("api_v1:openapi-json")})


@require_http_methods(["GET", "POST"])
@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = tokens.create_token(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            form = TokenForm()  # a fresh form under the new secret
    owned = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": owned, "created": created, "secret": secret},
        status=400 if form.errors else (201 if created else 200),
    )
    if secret:
        # The secret is on this page once: no cache or back button may keep it.
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404("No such token")
    tokens.revoke_token(token=token, actor=request.user)
    messages.success(request, f"Revoked “{token.name}”: it is refused from now on.")
    return redirect("api_tokens")
