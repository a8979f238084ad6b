"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
application = get_asgi_application()

# Fail at start-up, not on the first signed cookie, when production has no key.
from portfolio.checks import require_secret_key  # noqa: E402

require_secret_key()
