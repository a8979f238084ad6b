"""How soon a silent worker counts as gone, and so how often a worker must beat.

Plain numbers, without Django: the settings read them (they check
``WORKER_HOUSEKEEPING_SECONDS`` against them at start-up, before any model can be
imported) and background/liveness.py builds its ``STALE_AFTER`` from them, so the two
cannot drift apart.
"""

from __future__ import annotations

# A worker not heard from for this long (and, on this machine, whose process is gone)
# counts as gone: its running task is reported failed (background/liveness.py).
STALE_AFTER_SECONDS = 60

# The longest housekeeping period (WORKER_HOUSEKEEPING_SECONDS): a third of the window,
# so a live worker beats at least three times in it, with room for a slow round or a
# busy database. A period at or above the window made a live worker look dead for part
# of each period (another worker's sweep could fail its running task).
HOUSEKEEPING_MAX_SECONDS = STALE_AFTER_SECONDS // 3
