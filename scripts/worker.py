#!/usr/bin/env python3
"""The Procfile's ``worker``: the task worker, started again when it dies.

    python scripts/worker.py --queue-name '*'    # any run_worker arguments, passed on

honcho (`make run`) stops every process of the Procfile when one of them ends: a task
worker that died (a crash, an out-of-memory kill, a database outage it did not outlive)
took the web server down with it, and nobody started either again. This runs
``manage.py run_worker`` as its child. When the child ends abnormally (a status other
than 0, or a signal not passed on from here) it says so in one line and starts it again
after 1 s, 2 s, 4 s … at most 30 s; once a worker has run for a minute the next wait is
1 s again. It never gives up: a worker that keeps failing as it starts is started again
at the longest wait, each failure said, with a note once several came in a row.

SIGTERM and SIGINT are passed on to the worker, which finishes the task it runs and stops
(django-tasks-db's first signal; a second one stops the task at once); this process then
ends as the worker did (its exit status, or the same signal). A stop while waiting to
start it again ends this process at once, with status 0. A worker that ends with status
0 by itself (``--batch``, ``--max-tasks``) is not started again: this ends with it.

The worker runs in a process group of its own, so that a stop sent to this process's
group (honcho's, a terminal's Ctrl-C) reaches it once, through here: twice would be
django-tasks-db's "stop now". Signals go to that whole group, as honcho's did: with
``--reload`` (run_worker's default under DEBUG, as in `make run`) the tasks run in a
child of the worker, which a worker killed would leave behind: what is left of the group
is killed before the next worker starts. On Linux the worker is killed with SIGKILL when
this process dies (a SIGKILL to the group: honcho's last resort, an operator's), as it
was when it was the Procfile's process itself. A stop sent to every process at once
(systemd's default KillMode=control-group; a platform that signals each process of a
container) still reaches the worker twice: such a platform starts processes again
itself, and can run ``manage.py run_worker`` directly.

Standard library only: no Django, no database connection in this process.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
# A worker that ran this long had started well: the next wait is the first again.
STEADY_SECONDS = 60.0
# This many failures in a row, each before STEADY_SECONDS: the line says so.
FAILURES_NOTED = 5
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def say(message: str) -> None:
    print(f"worker supervisor: {message}", file=sys.stderr, flush=True)


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def how_it_ended(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal_name(-returncode)}"
    return f"exited with status {returncode}"


def seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 or value == int(value) else f"{value:.1f} s"


def killed_with_parent() -> Callable[[], None] | None:
    """On Linux: what the child runs before the worker, so that it is SIGKILLed when this
    process dies (prctl PR_SET_PDEATHSIG). Elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def in_the_child() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # this process died before the call: as if after
            os.kill(os.getpid(), signal.SIGKILL)

    return in_the_child


class Supervisor:
    def __init__(
        self,
        command: list[str],
        *,
        first_delay: float = FIRST_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
        steady_seconds: float = STEADY_SECONDS,
    ) -> None:
        self.command = command
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.steady_seconds = steady_seconds
        self.child: subprocess.Popen | None = None
        self.stop_signal: int | None = None  # the last stop asked for
        self.pending: int | None = None  # a stop that came while the child was starting

    def on_stop(self, signum: int, frame) -> None:
        self.stop_signal = signum
        child = self.child
        if child is None:
            self.pending = signum
        elif child.returncode is None:
            self.signal_group(child, signum)

    def start(self) -> subprocess.Popen:
        child = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            process_group=0,
            preexec_fn=killed_with_parent(),  # safe: this process has one thread
        )
        self.child = child
        if self.pending is not None:  # asked to stop while it was being started
            signum, self.pending = self.pending, None
            self.signal_group(child, signum)
        return child

    @staticmethod
    def signal_group(child: subprocess.Popen, signum: int) -> None:
        """``signum`` to the worker's process group: the worker, and with ``--reload``
        (run_worker's default under DEBUG, `make run`) the process that runs its tasks."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signum)

    def wait(self, delay: float) -> None:
        """``delay`` seconds, or less when asked to stop."""
        deadline = time.monotonic() + delay
        while self.stop_signal is None and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.1))

    def run(self) -> int:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self.on_stop)
        delay = self.first_delay
        failures = 0  # in a row, each before steady_seconds
        while self.stop_signal is None:
            started = time.monotonic()
            try:
                child = self.start()
            except OSError as error:
                ended = f"the task worker could not be started ({error})"
            else:
                returncode = child.wait()
                self.child = None
                self.pending = None
                if self.stop_signal is not None:
                    return self.end_as(returncode)
                if returncode != 0:
                    # What is left of it (with --reload, the process that ran its tasks,
                    # which the next worker would meet beside it, unsupervised).
                    self.signal_group(child, signal.SIGKILL)
                if returncode == 0:
                    say(f"the task worker (pid {child.pid}) exited with status 0: done")
                    return 0
                ran = time.monotonic() - started
                ended = f"the task worker (pid {child.pid}) {how_it_ended(returncode)}"
                ended += f" after {seconds(ran)}"
                if ran >= self.steady_seconds:
                    delay, failures = self.first_delay, 0
            failures += 1
            note = ""
            if failures >= FAILURES_NOTED:
                note = (
                    f" ({failures} failures in a row, each within "
                    f"{seconds(self.steady_seconds)} of its start: see its output above)"
                )
            say(f"{ended}; starting it again in {seconds(delay)}{note}")
            self.wait(delay)
            delay = min(delay * 2, self.max_delay)
        say(f"{signal_name(self.stop_signal)}: stopped, the task worker was not running")
        return 0

    def end_as(self, returncode: int) -> int:
        """The child's exit status, or its death by the same signal."""
        if returncode >= 0:
            return returncode
        signum = -returncode
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return 128 + signum  # a signal that does not end a process by default


def main(arguments: list[str]) -> None:
    command = [sys.executable, str(ROOT / "manage.py"), "run_worker", *arguments]
    sys.exit(Supervisor(command).run())


if __name__ == "__main__":
    main(sys.argv[1:])
