"""Work done outside the request: the task worker, its schedule, e-mail, the shared cache.

``background`` is infrastructure: it imports nothing from ``portfolio`` or
``gates``; they hand it tasks (Django's ``django.tasks``, stored in the
database by django-tasks-db and run by ``manage.py run_worker``).
"""
