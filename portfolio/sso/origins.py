"""The origins the sign-in and sign-out forms may lead to (CSP form-action).

Imported by the settings module, so it imports nothing of Django's models.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def sso_form_action_origins(issuer: str, extra: list[str] | None = None) -> list[str]:
    """The issuer's origin (where providers keep their authorization and logout
    endpoints), and any others named: a browser follows a form's redirect to the
    provider only when the policy's form-action allows that origin."""
    origins = []
    for url in [issuer, *(extra or [])]:
        parts = urlsplit(url.strip())
        if parts.scheme and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins
