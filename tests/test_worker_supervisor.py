"""The Procfile's ``worker`` (scripts/worker.py): the task worker, started again when it dies.

Under `make run` honcho stops every process when one ends: a worker that died (a crash, an
out-of-memory kill) took the web server down with it. The supervisor starts it again after
a wait that doubles (at most 30 s), passes SIGTERM and SIGINT on to it, and ends as it did.

Most tests supervise a small stand-in (FAKE below, in a few milliseconds); one runs the
real ``run_worker`` under the Procfile's command, kills it, and sees the next one run a task.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"

# The supervisor of scripts/worker.py over any command, with shorter waits.
SUPERVISE = (
    "import json, sys\n"
    f"sys.path.insert(0, {str(SCRIPTS)!r})\n"
    "import worker\n"
    "sys.exit(worker.Supervisor(json.loads(sys.argv[1]), **json.loads(sys.argv[2])).run())\n"
)

# A stand-in worker: writes "started PID TIME" to its log, then by its mode: "exit:N" ends
# with status N at once; "exit-after:S:N" after S seconds; "run:N" runs until SIGTERM or
# SIGINT, writes "NAME PID" and ends with status N; "default" runs with Python's own
# handling of the signals (SIGTERM kills it); "reloader" is run_worker --reload's first
# process: it writes "reloader PID", runs a "run:0" worker as its child (in its process
# group, as Django's autoreloader does) and ends as that child did.
FAKE = """
import os, signal, subprocess, sys, time
# Each line in one write(2), unbuffered: the stop handler may run while the "started" line is
# being written (the test reads the pid and signals at once), and a buffered file written
# from a handler inside its own write raises "reentrant call".
log = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
def say(line):
    os.write(log, line.encode())
mode = sys.argv[2].split(":")
if mode[0] == "reloader":
    say(f"reloader {os.getpid()}\\n")
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # its child says what the stop did
    sys.exit(subprocess.run([sys.executable, __file__, sys.argv[1], "run:0"]).returncode)
if mode[0] == "run":
    def stop(signum, frame):
        say(f"{signal.Signals(signum).name} {os.getpid()}\\n")
        sys.exit(int(mode[1]))
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
say(f"started {os.getpid()} {time.time()}\\n")
if mode[0] == "exit":
    sys.exit(int(mode[1]))
if mode[0] == "exit-after":
    time.sleep(float(mode[1]))
    sys.exit(int(mode[2]))
while True:
    time.sleep(0.02)
"""

FAST = {"first_delay": 0.1, "max_delay": 0.4, "steady_seconds": 30}


def procfile_worker() -> str:
    """The Procfile's worker command, as honcho and bench/cluster_test.py read it."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("worker:"):
            return line.removeprefix("worker:").strip()
    raise AssertionError("the Procfile has no worker")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # Linux: a zombie (dead, not yet reaped by whoever adopted it) is not alive
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def wait_until(condition, seconds: float, what: str, output=lambda: ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"not within {seconds} s: {what}\n{output()}")


class Supervised:
    """The supervisor (in a session of its own) over the stand-in, with their logs."""

    def __init__(self, tmp_path: Path, mode: str, **delays: float) -> None:
        self.children_log = tmp_path / "children.log"
        self.children_log.touch()
        self.log_path = tmp_path / "supervisor.log"
        fake = tmp_path / "fake_worker.py"
        fake.write_text(FAKE)
        child = [sys.executable, str(fake), str(self.children_log), mode]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SUPERVISE, json.dumps(child), json.dumps(delays)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return (
            f"supervisor:\n{self.log_path.read_text()}\nchildren:\n{self.children_log.read_text()}"
        )

    def lines(self) -> list[str]:
        return self.log_path.read_text().splitlines()

    def starts(self) -> list[tuple[int, float]]:
        found = re.findall(r"^started (\d+) ([\d.]+)$", self.children_log.read_text(), re.M)
        return [(int(pid), float(at)) for pid, at in found]

    def reloaders(self) -> list[int]:
        return [
            int(pid) for pid in re.findall(r"^reloader (\d+)$", self.children_log.read_text(), re.M)
        ]

    def received(self) -> list[str]:
        return re.findall(r"^(SIG\w+) \d+$", self.children_log.read_text(), re.M)

    def wait_for_starts(self, count: int, seconds: float = 20) -> list[tuple[int, float]]:
        return wait_until(
            lambda: len(s := self.starts()) >= count and s,
            seconds,
            f"{count} worker(s) started",
            self.output,
        )

    def child(self) -> int:
        """The worker running now (the last one started)."""
        pid = self.wait_for_starts(1)[-1][0]
        assert alive(pid), self.output()
        return pid

    def ended(self, seconds: float = 20) -> int:
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the supervisor did not end within {seconds} s\n{self.output()}")

    def cleanup(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        for pid in [*self.reloaders(), *(pid for pid, _ in self.starts())]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def supervise(tmp_path):
    started: list[Supervised] = []

    def start(mode: str, **delays: float) -> Supervised:
        supervised = Supervised(tmp_path, mode, **{**FAST, **delays})
        started.append(supervised)
        return supervised

    yield start
    for supervised in started:
        supervised.cleanup()


@pytest.mark.timeout(60)
def test_a_worker_killed_is_started_again_after_one_line(supervise):
    supervised = supervise("run:0")
    first = supervised.child()
    os.kill(first, signal.SIGKILL)
    second = supervised.wait_for_starts(2)[1][0]
    assert second != first and alive(second)
    assert supervised.process.poll() is None
    said = [line for line in supervised.lines() if line.startswith("worker supervisor:")]
    assert len(said) == 1, supervised.output()
    assert re.fullmatch(
        rf"worker supervisor: the task worker \(pid {first}\) was killed by SIGKILL after "
        r"[\d.]+ s; starting it again in 0\.1 s",
        said[0],
    ), said
    # The new one is supervised as the first was: killed again, started again.
    os.kill(second, signal.SIGKILL)
    supervised.wait_for_starts(3)
    os.kill(supervised.process.pid, signal.SIGTERM)
    assert supervised.ended() == 0


@pytest.mark.timeout(60)
@pytest.mark.parametrize("status", [0, 3])
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("to", ["the process", "its group"])
def test_a_stop_is_passed_on_once_and_the_supervisor_ends_as_the_worker_did(
    supervise, status, stop, to
):
    """honcho stops a process with SIGTERM to its group, a terminal's Ctrl-C is SIGINT to
    its group, a platform may signal the process alone: each reaches the worker once (a
    second is django-tasks-db's "stop the task now"), and a worker that ends after it,
    even with a failure, is not started again."""
    supervised = supervise(f"run:{status}")
    child = supervised.child()
    if to == "the process":
        os.kill(supervised.process.pid, stop)
    else:
        os.killpg(supervised.process.pid, stop)
    assert supervised.ended() == status, supervised.output()
    assert supervised.received() == [stop.name], supervised.output()
    assert supervised.starts()[0][0] == child and len(supervised.starts()) == 1
    assert not any("starting it again" in line for line in supervised.lines())


@pytest.mark.timeout(60)
def test_with_reload_the_stop_reaches_the_process_running_the_tasks(supervise):
    """run_worker --reload (DEBUG, `make run`): the tasks run in a child of the worker, which
    honcho's SIGTERM to the group reached; the supervisor's reaches it too."""
    supervised = supervise("reloader")
    supervised.child()
    os.killpg(supervised.process.pid, signal.SIGTERM)
    assert supervised.ended() == 0, supervised.output()
    assert supervised.received() == ["SIGTERM"], supervised.output()


@pytest.mark.timeout(60)
def test_with_reload_a_worker_killed_leaves_nothing_running_behind(supervise):
    """The reloading process killed (out of memory, say): the child running the tasks, left
    alone, is killed before the next worker starts, not left running beside it."""
    supervised = supervise("reloader")
    orphan = supervised.child()
    os.kill(supervised.reloaders()[0], signal.SIGKILL)
    second = supervised.wait_for_starts(2)[1][0]
    wait_until(lambda: not alive(orphan), 10, "the old child gone", supervised.output)
    assert alive(second) and len(supervised.reloaders()) == 2
    assert supervised.received() == []  # killed, not asked to stop
    os.kill(supervised.process.pid, signal.SIGTERM)
    assert supervised.ended() == 0


@pytest.mark.timeout(60)
def test_a_worker_a_stop_kills_ends_the_supervisor_by_the_same_signal(supervise):
    """Before django-tasks-db sets its handlers (while Django starts) SIGTERM kills the
    worker: the supervisor then ends by SIGTERM too, as the worker alone did."""
    supervised = supervise("default")
    supervised.child()
    os.kill(supervised.process.pid, signal.SIGTERM)
    assert supervised.ended() == -signal.SIGTERM, supervised.output()
    assert len(supervised.starts()) == 1


@pytest.mark.timeout(60)
def test_failures_are_retried_ever_later_and_never_given_up(supervise):
    """A worker that fails at once (a setting it refuses, a database that is not there yet)
    is started again after 0.1 s, 0.2 s, 0.4 s, then at the longest wait, each failure said;
    from the fifth in a row the line says so."""
    supervised = supervise("exit:1")
    starts = supervised.wait_for_starts(8)
    assert supervised.process.poll() is None, supervised.output()
    gaps = [later - earlier for (_, earlier), (_, later) in zip(starts, starts[1:], strict=False)]
    for gap, wait in zip(gaps, [0.1, 0.2, 0.4, 0.4, 0.4, 0.4, 0.4], strict=False):
        assert gap >= wait, (gaps, supervised.output())
    waits = re.findall(
        r"exited with status 1 after [\d.]+ s; starting it again in ([\d.]+) s",
        "\n".join(supervised.lines()),
    )
    assert waits[:6] == ["0.1", "0.2", "0.4", "0.4", "0.4", "0.4"], supervised.output()
    lines = [line for line in supervised.lines() if "starting it again" in line]
    assert not any("in a row" in line for line in lines[:4])
    assert lines[4].endswith(
        "(5 failures in a row, each within 30 s of its start: see its output above)"
    ), lines
    # Stopped while it waits (0), or ending as a worker starting then did: its failure
    # (1), or killed by the signal passed on before Python's handlers were set.
    os.kill(supervised.process.pid, signal.SIGTERM)
    assert supervised.ended() in (0, 1, -signal.SIGTERM)


@pytest.mark.timeout(60)
def test_the_wait_starts_again_from_the_first_after_a_worker_ran_a_while(supervise):
    supervised = supervise("exit-after:0.3:1", steady_seconds=0.25)
    supervised.wait_for_starts(4)
    waits = re.findall(
        r"starting it again in ([\d.]+) s(.*)$", supervised.log_path.read_text(), re.M
    )
    assert waits[:3] == [("0.1", "")] * 3, supervised.output()


@pytest.mark.timeout(60)
def test_a_worker_that_ends_well_by_itself_is_not_started_again(supervise):
    """``run_worker --batch`` (or --max-tasks) ends with status 0 when it is done."""
    supervised = supervise("exit:0")
    assert supervised.ended() == 0
    assert len(supervised.starts()) == 1
    assert "exited with status 0: done" in supervised.log_path.read_text()


@pytest.mark.timeout(60)
def test_a_stop_while_waiting_to_start_it_again_ends_at_once(supervise):
    supervised = supervise("exit:1", first_delay=30)
    wait_until(
        lambda: "starting it again in 30 s" in supervised.log_path.read_text(),
        20,
        "the failure said",
        supervised.output,
    )
    asked = time.monotonic()
    os.kill(supervised.process.pid, signal.SIGTERM)
    assert supervised.ended(seconds=10) == 0
    assert time.monotonic() - asked < 5
    assert len(supervised.starts()) == 1
    assert supervised.lines()[-1] == (
        "worker supervisor: SIGTERM: stopped, the task worker was not running"
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
@pytest.mark.timeout(60)
def test_the_worker_dies_with_a_supervisor_killed(supervise):
    """honcho's last resort (and bench/cluster_test.py's check 3) is SIGKILL to the group:
    the worker, in a group of its own, goes too, as it did when it was the Procfile's."""
    supervised = supervise("run:0")
    child = supervised.child()
    os.killpg(supervised.process.pid, signal.SIGKILL)
    supervised.process.wait(timeout=10)
    wait_until(lambda: not alive(child), 10, "the worker gone", supervised.output)


def test_the_procfile_and_the_readme_run_the_worker_under_the_supervisor():
    assert procfile_worker() == "python scripts/worker.py --queue-name '*'"
    readme = (ROOT / "README.md").read_text()
    assert f"worker: {procfile_worker()}" in readme
    assert f"{procfile_worker()} " in readme.replace(f"worker: {procfile_worker()}", "")
    assert os.access(SCRIPTS / "worker.py", os.X_OK)
    # make run-sso's Procfile runs the same worker (it stopped the web server with it).
    assert f"worker: {procfile_worker()}\n" in (ROOT / "Procfile.sso").read_text()


@pytest.mark.no_database
@pytest.mark.timeout(120)
def test_the_procfiles_worker_passes_its_arguments_on_to_run_worker():
    done = subprocess.run(
        ["sh", "-c", f"exec {procfile_worker()} --help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "run_worker" in done.stdout and "--queue-name" in done.stdout, done.stdout
    assert "exited with status 0: done" in done.stderr


# --- The real worker ---------------------------------------------------------------------


class WorkerDatabase:
    """The test database as a worker process reaches it: on PostgreSQL the test database
    itself; on SQLite (one database in memory per test process) a copy in a file, where
    the tasks this test enqueues are copied."""

    def __init__(self, tmp_path: Path) -> None:
        from django.db import connection

        self.sqlite = connection.vendor == "sqlite"
        if self.sqlite:
            self.path = tmp_path / "worker.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(self.path) as copy:
                connection.connection.backup(copy)
            self.url = f"sqlite:///{self.path}"
        else:
            from tests.background.test_worker_database_away import database_url

            self.url = database_url()

    def enqueue(self) -> str:
        from django_tasks_db.models import DBTaskResult

        from portfolio.tasks import refresh_metrics

        task_id = refresh_metrics.enqueue(version=0).id
        if self.sqlite:
            from django.db import connection

            table = DBTaskResult._meta.db_table
            row = connection.connection.execute(
                f'SELECT * FROM "{table}" WHERE id = ?',
                (uuid.UUID(task_id).hex,),
            ).fetchone()
            with sqlite3.connect(self.path, timeout=20) as copy:
                marks = ", ".join("?" * len(row))
                copy.execute(f'INSERT INTO "{table}" VALUES ({marks})', row)
        return task_id

    def task(self, task_id: str) -> tuple[str, list[str]]:
        from django_tasks_db.models import DBTaskResult

        if not self.sqlite:
            found = DBTaskResult.objects.get(id=task_id)
            return found.status, found.worker_ids
        with sqlite3.connect(self.path, timeout=20) as copy:
            status, worker_ids = copy.execute(
                f'SELECT status, worker_ids FROM "{DBTaskResult._meta.db_table}" WHERE id = ?',
                (uuid.UUID(task_id).hex,),
            ).fetchone()
        return status, json.loads(worker_ids)


@pytest.mark.timeout(120)
def test_the_real_worker_killed_is_started_again_and_runs_the_next_task(
    transactional_db, database_tasks, tmp_path
):
    database = WorkerDatabase(tmp_path)
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "DATABASE_URL": database.url,
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["sh", "-c", f"exec {procfile_worker()} --interval 0.1 --no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output() -> str:
        return log_path.read_text(errors="replace")

    def workers() -> list[int]:  # the process ids of the workers started, in order
        return [int(pid) for pid in re.findall(r"worker_id=\S*?:(\d+):\w+ ", output())]

    try:
        first = wait_until(workers, 60, "the worker started", output)[0]
        os.kill(first, signal.SIGKILL)
        wait_until(
            lambda: f"the task worker (pid {first}) was killed by SIGKILL" in output(),
            10,
            "the supervisor's line",
            output,
        )
        second = wait_until(lambda: workers()[1:], 60, "a new worker", output)[0]
        assert second != first and process.poll() is None
        task_id = database.enqueue()
        status, worker_ids = wait_until(
            lambda: (found := database.task(task_id))[0] == "SUCCESSFUL" and found,
            30,
            "the new worker ran the task",
            output,
        )
        assert [worker_id.split(":")[-2] for worker_id in worker_ids] == [str(second)]
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) == 0, output()  # an idle worker stops with 0
        assert output().count("worker supervisor:") == 1, output()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for pid in workers():
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
