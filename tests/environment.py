"""Test environment defaults (a pytest plugin, loaded by -p before pytest-django reads settings).

Tests run the production settings (DEBUG off) over plain http on loopback, so
the only differences are a fixed secret key and no https redirect or
https-only cookies.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdefghij")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
# One process: a per-process cache and tasks run where they are enqueued. Tests that need the
# shared cache or the real worker say so.
os.environ.setdefault("CACHE_BACKEND", "locmem")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("METRICS_REFRESH", "false")
