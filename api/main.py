"""The JSON API, version 1: one django-ninja ``NinjaAPI`` with a router per subject.

The OpenAPI schema is generated from the routers' type hints and schemas
(``/api/v1/openapi.json``); every error is a problem document (api/problems.py);
every request is authenticated by a personal token (api/auth.py).
"""

from __future__ import annotations

from ninja import NinjaAPI

from api import problems
from api.auth import TokenAuth
from api.routers import (
    artifacts,
    audit,
    decisions,
    deliverables,
    metrics,
    money,
    panel,
    plan,
    projects,
)
from api.schemas import PlainNumbersParser

DESCRIPTION = """\
The research portfolio as JSON: projects, gate decisions, deliverables, spend,
outcomes, artifacts, the audit trail and the dashboard's metrics.

Authenticate with a personal API token (make one on the *API tokens* page of the
app, or `manage.py create_api_token EMAIL`): `Authorization: Bearer <token>`.
A token acts as its person, with the same permissions as in the browser; a
`read` token cannot change anything. Errors are `application/problem+json`
documents (RFC 9457) naming the field that is wrong.
"""


class GreenlightAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        # Errors are problem documents: say so in every error response.
        for path in schema["paths"].values():
            for operation in path.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if str(status).startswith(("4", "5")) and "application/json" in content:
                        content[problems.CONTENT_TYPE] = content.pop("application/json")
        return schema


api = GreenlightAPI(
    title="Greenlight API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
    auth=TokenAuth(),
    docs_url=None,  # served by api.views.docs, from our own static files (CSP)
    parser=PlainNumbersParser(),  # a JSON number written 1e6 is refused as "1e6" is
)
problems.install(api)
for module in (
    projects,
    decisions,
    panel,
    deliverables,
    money,
    artifacts,
    audit,
    metrics,
    plan,
):
    api.add_router("", module.router)
