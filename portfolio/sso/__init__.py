"""Single sign-on through the company's identity provider, with OpenID Connect.

``provider`` talks to the provider (authlib: discovery, the authorization code
flow with PKCE, state and nonce, the ID token's signature and claims);
``views`` are the sign-in page, the start and the callback of a sign-in, and
sign-out; ``backends`` let ``django.contrib.auth.authenticate`` (and with it
django-axes' lockout) see both ways in. Who a sign-in becomes, and the roles a
groups claim gives, are decided by ``portfolio.services.single_sign_on``.
Settings: ``OIDC_*`` and ``PASSWORD_SIGN_IN`` (docs/single-sign-on.md).
"""
