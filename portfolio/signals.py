"""Signals other apps listen to, so that ``portfolio`` need not import them.

``gates`` and ``planning`` depend on ``portfolio``, never the reverse: a change here that
they keep a copy of is announced, and they bring their copy up to date in the same
transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent by ``correct_project`` when an admin corrects a project's key, inside the
# correction's transaction with the project locked; keyword arguments ``project`` (as
# saved), ``old_key``, ``new_key`` and ``actor``. A receiver that raises undoes the change.
project_key_changed = Signal()
