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

# Sent when someone may have joined the panel of gates' reviews they were not on: by
# ``people._change_role`` when a role is granted (by an admin, or a provider's groups claim),
# by the admin's user page when an account is made active again, and by ``correct_project``
# when a project is given another product manager (who chairs its reviews). Keyword
# arguments ``person`` and ``project`` (the project concerned; None for any). Sent inside
# the change's transaction, once per role granted: ``gates`` asks the person at once for
# their vote in the open reviews they joined, as a review's opening asks its panel, with one
# task for all the signals of one transaction (gates/tasks.py).
panels_may_have_grown = Signal()

# Sent by ``submit_proposal`` when a proposal is submitted: its gate 1 review opens, as a
# decision opens the next one. Keyword arguments ``project`` (as saved, at gate 1) and
# ``actor`` (the researcher who submitted it). Sent inside the submission's transaction.
# ``gates`` asks the review's panel for their vote at once (``votes.announce_review``), all
# but the submitter, as a review opened by a decision asks all but who recorded it. A
# receiver answers with the pks whose vote the proposal's notice to its product manager is
# to ask (sent after the signal: one message rather than two), or None.
proposal_submitted = Signal()
