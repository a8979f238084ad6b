"""Errors as problem documents (RFC 9457, ``application/problem+json``).

Every refusal the API makes goes through here: a ``type`` naming the kind of
problem, a ``title``, the HTTP ``status``, a ``detail`` a person can act on,
and ``field`` (with ``errors`` for each bad field) when the input is wrong.
The messages of the service functions (``DomainError``) pass through unchanged,
so a script reads the same words a person reads beside the form field.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import BaseModel

from api.labels import label_of
from portfolio.errors import DomainError, PermissionDenied
from portfolio.validators import too_long_message

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:greenlight:problem:"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """A problem document (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[FieldError] = []


class ApiProblem(Exception):
    """Raised anywhere in the API to answer with a problem document."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str,
        *,
        field: str | None = None,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.field = field
        self.errors = errors or ([{"field": field, "message": detail}] if field else [])
        self.headers = headers or {}


def not_found(detail: str = "No such project, or not one you may see.") -> ApiProblem:
    return ApiProblem(404, "not-found", "Not found", detail)


def forbidden(detail: str) -> ApiProblem:
    return ApiProblem(403, "forbidden", "Not allowed", detail)


def respond(problem: ApiProblem) -> HttpResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + problem.kind,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.field:
        body["field"] = problem.field
    body["errors"] = problem.errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=problem.status, content_type=CONTENT_TYPE
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response


# --- From other exceptions ------------------------------------------------------------------


def _field_name(loc: tuple) -> str:
    # ("body", "payload", "scores", 0, "met") -> "scores[0].met"; ("query", "status") -> "status"
    parts = list(loc[1:])
    if loc and loc[0] == "query" and any(isinstance(part, int) for part in parts):
        # A repeated parameter's value: ("query", "filters", "status", 1) -> "status", the
        # parameter as the URL names it (django-ninja keeps the schema's name for lists).
        return [part for part in parts if isinstance(part, str)][-1]
    if loc and loc[0] == "body" and parts:
        parts = parts[1:]  # the operation's parameter name, not a field of the document
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def _message(error: dict) -> str:
    if error.get("type") == "extra_forbidden":
        return "Unknown field: it is not part of this document."
    if error.get("type") == "missing":
        return "This field is required."
    if error.get("type") == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1:
        # Text sent blank, or with nothing visible (api.schemas.TextIn): the pages' words.
        return "This field is required."
    if error.get("type") == "json_invalid":
        return "The body is not valid JSON."
    if error.get("type") == "string_too_long":
        # The pages' words, naming the field ("Comment: at most 10,000 characters."), not
        # pydantic's "String should have at most 10000 characters".
        limit = (error.get("ctx") or {}).get("max_length")
        if isinstance(limit, int):
            return too_long_message(_label(tuple(error.get("loc", ()))), limit)
    message = str(error.get("msg", "Invalid value."))
    return message.removeprefix("Value error, ")


def _label(loc: tuple) -> str:
    # ("body", "payload", "kill_marks", 0, "note") -> "Note", as the form labels it.
    names = [part for part in loc if isinstance(part, str)]
    return label_of(names[-1]) if names else "Text"


def _detail(error: dict, loc: tuple) -> str:
    """``field: message``, the message without the label it starts with, if it does: the
    field is named once ("amount: at least 0.01.", not "amount: Amount: at least 0.01.")."""
    message = error["message"]
    message = message.removeprefix(f"{_label(loc)}: ") if loc else message
    return f"{error['field']}: {message}"


def from_validation(error: ValidationError) -> ApiProblem:
    errors = [
        {"field": _field_name(tuple(e.get("loc", ()))), "message": _message(e)}
        for e in error.errors
    ]
    first_loc = tuple(error.errors[0].get("loc", ())) if errors else ()
    if not errors:
        errors = [{"field": "body", "message": "The request could not be read."}]
    first = errors[0]
    return ApiProblem(
        400,
        "invalid-input",
        "Invalid input",
        _detail(first, first_loc) + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""),
        field=first["field"],
        errors=errors,
    )


def _domain_field(problem: DomainError) -> str | None:
    # The third kill criterion's target: "kill_criteria[2].target", as the 400s name nested fields.
    if problem.field and problem.item is not None:
        return f"{problem.field}[{problem.item - 1}]" + (f".{problem.part}" if problem.part else "")
    return problem.field


def from_domain_error(error: DomainError) -> ApiProblem:
    if isinstance(error, PermissionDenied):
        return ApiProblem(403, "forbidden", "Not allowed", error.message, field=error.field)
    # A change refused for several reasons: every one in ``errors``, and ``detail`` says
    # them all, one after another (a problem about no one field is the body's).
    errors = [
        {"field": _domain_field(problem) or "body", "message": problem.message}
        for problem in error.problems
    ]
    if len(errors) == 1 and not error.field:
        errors = []
    return ApiProblem(
        422,
        "rule",
        "Refused by the process rules",
        error.message,
        field=_domain_field(error.problems[0]),
        errors=errors,
    )


def install(api) -> None:
    """Answer every error of ``api`` with a problem document."""

    @api.exception_handler(ApiProblem)
    def _problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return respond(exc)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(from_validation(exc))

    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(from_domain_error(exc))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(not_found())

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(
            ApiProblem(
                401,
                "unauthenticated",
                "Authentication needed",
                "Send a personal API token: Authorization: Bearer <token>.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        )

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(too_big())

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, ApiProblem):
            # Refused by the body's parser (api.schemas.PlainNumbersParser): not JSON (415),
            # a member named twice (400).
            return respond(exc.__cause__)
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # django-ninja could not read the body (not JSON, not UTF-8): wrong input, as
            # documented, not the parser's own words (its exception under DEBUG).
            return respond(
                ApiProblem(
                    400,
                    "invalid-input",
                    "Invalid input",
                    "body: The body is not valid JSON.",
                    field="body",
                    errors=[{"field": "body", "message": "The body is not valid JSON."}],
                )
            )
        return respond(ApiProblem(exc.status_code, "http", str(exc), str(exc)))


def too_big() -> ApiProblem:
    from django.conf import settings

    limit = settings.API_MAX_BODY_BYTES
    return ApiProblem(
        413,
        "too-large",
        "Request too large",
        f"The body is larger than the API takes ({limit:,} bytes).",
        field="body",
    )
