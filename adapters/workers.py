"""``confbot run`` as several processes on one port: a supervisor and its workers, each a full replica.

One Python process computes on one core at a time (its GIL), so on a machine with more cores one
``confbot run`` leaves them idle. Where replicas can run together (PostgreSQL, no Telegram long
polling: docs/deploy.md, "Scaling to replicas"), ``CONFBOT_WORKERS`` (``auto``: one per usable core,
at most :data:`MAX_AUTO`) starts that many workers behind one listening socket. Each worker is an
ordinary ``confbot run`` (its own core, adapters, dispatcher and heartbeat: the replicas' rules
split the send rates between them). The supervisor:

- binds the port once (a port that can't be bound is one line, as with one process) and hands the
  socket to every worker; the kernel gives each new connection to a worker waiting in ``accept``;
- forwards SIGTERM/SIGINT and waits for every worker's graceful stop (:data:`GRACE` s, then SIGKILL);
- ends the run when a worker fails to start, with that worker's exit code (a rejected token is 2);
- restarts a worker that dies after it started, after 1 s, doubling to 30 s while it keeps dying;
  the run ends if a restart exits 2 (a configuration error) or five restarts in a row fail;
- stops listening as soon as it stops, so new connections are refused at once, not queued;
- gives the workers one directory for their Prometheus counters, so ``/metrics`` on any of them
  shows the whole run's counts (prometheus-client's multiprocess mode).

A restarted worker takes connections only once its platforms are up (the others serve meanwhile;
at the run's start every worker listens at once, so probes answer while the platforms connect, and
each worker's ``/readyz`` says "not ready" until every worker has started: a probe answered by a
quick worker must not send traffic to one still connecting, which answers a platform's update 503), enforces
its machine's share of each person's inbound limit (a connection stays with one worker), and stops by
itself within a second or two if its supervisor is gone (killed with SIGKILL).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import math
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from adapters.startup import StartupError
from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_AUTO = 8  # CONFBOT_WORKERS=auto never starts more (each worker holds its own programme and pool)
GRACE = 15.0  # seconds a worker has to stop after SIGTERM before it is killed (its own stop takes ≤ 10)
FIRST_RETRY, LAST_RETRY = 1.0, 30.0  # seconds before restarting a worker that died, doubling
STEADY = 60.0  # a worker that ran this long before dying is restarted after FIRST_RETRY again
RESTARTS = 5  # restarts of one worker that fail in a row before the run ends
SOCKET_FD = "CONFBOT_WORKER_SOCKET_FD"  # the listening socket a worker inherits
READY_FD = "CONFBOT_WORKER_READY_FD"  # where a worker writes one byte once it serves
# a pipe's read end, shared by the workers: the supervisor closes the other end once every worker has
# served (the read end then reads as the end of the file)
ALL_READY_FD = "CONFBOT_WORKER_ALL_READY_FD"
NAME = "CONFBOT_WORKER"  # "2/4": which worker of how many
PARENT = "CONFBOT_WORKER_PARENT"  # the supervisor's pid: a worker whose parent is another one is orphaned
RESTART = "CONFBOT_WORKER_RESTART"  # "1" for a worker started again after one died
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's own variable for multiprocess mode
METRICS_PREFIX = "confbot-metrics-"  # the workers' metrics directory in $TMPDIR (MetricsDir)
HELD = ".held"  # in a metrics directory once its supervisor holds the lock on it
CGROUP_ROOT = Path("/sys/fs/cgroup")  # v2 cpu.max: "<quota> <period>" in µs or "max <period>"; v1 mounts below
OWN_CGROUP = Path("/proc/self/cgroup")  # "0::/system.slice/confbot.service": where this process's cgroup is
MOUNTINFO = Path("/proc/self/mountinfo")  # where each cgroup hierarchy is mounted, and which cgroup it shows
V1_QUOTA, V1_PERIOD = "cpu.cfs_quota_us", "cpu.cfs_period_us"  # cgroup v1's quota ("-1": none) and period, µs


def single_process_reason(settings: Settings) -> str | None:
    """Why these settings allow only one process (None when replicas can run together)."""
    if not settings.database_url.startswith("postgresql"):
        return "the database is SQLite, which one process uses at a time (use PostgreSQL for workers)"
    if settings.telegram_bot_token and not settings.telegram_webhook:
        return "Telegram runs in long polling mode, one getUpdates per bot (set a webhook for workers)"
    return None


def _up_to(root: Path, relative: str, name: str) -> list[Path]:
    """``name`` in the cgroup at ``relative`` under ``root`` and in each of its parents, ``root``'s last."""
    directory = root / relative.strip().lstrip("/")
    files = [directory / name]
    while directory != root and root in directory.parents:
        directory = directory.parent
        files.append(directory / name)
    return files


@dataclass(frozen=True)
class _CgroupMount:
    """A cgroup file system as ``/proc/self/mountinfo`` lists it."""

    version: int  # 1 or 2
    controllers: frozenset[str]  # v1: its super options, e.g. rw, cpu, cpuacct
    root: str  # the cgroup shown at its mount point ("/docker/abc" in a container without a cgroup namespace)
    point: Path

    def below(self, path: str) -> str | None:
        """``path`` (from /proc/self/cgroup) under the mount point; None when the mount shows a cgroup
        that is not this process's or above it (another container's, bind-mounted in)."""
        root = self.root.rstrip("/")
        if not root:
            return path
        return path[len(root) :] if path == root or path.startswith(root + "/") else None


def _cgroup_mounts(mountinfo: Path) -> list[_CgroupMount]:
    """The cgroup mounts: "id parent dev root point options [tags] - type source super-options"."""
    mounts = []
    for line in mountinfo.read_text().splitlines():
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            version = 2 if tail[0] == "cgroup2" else 1
            mounts.append(_CgroupMount(version, frozenset(tail[2].split(",")), fields[3], Path(fields[4])))
    return mounts


def cpu_max_files(own: Path = OWN_CGROUP, mountinfo: Path = MOUNTINFO) -> list[Path]:
    """The files whose CPU quota bounds this process: cgroup v2's ``cpu.max`` of its own cgroup and
    each parent (systemd's ``CPUQuota=`` sits on the service's own cgroup, a container's quota often on
    the root), and cgroup v1's ``cpu.cfs_quota_us`` likewise under the ``cpu`` controller's mount (a
    container on an older host: Docker's ``--cpus``). Where each mount is and which cgroup it shows
    come from ``/proc/self/mountinfo``. Files that are not there are skipped when read."""
    try:
        lines, mounts = own.read_text().splitlines(), _cgroup_mounts(mountinfo)
    except OSError:
        return [CGROUP_ROOT / "cpu.max"]
    files: list[Path] = []
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if not controllers:  # "0::/system.slice/confbot.service": the v2 hierarchy
            found = [(m, "cpu.max") for m in mounts if m.version == 2]
        elif "cpu" in controllers.split(","):  # "4:cpu,cpuacct:/docker/abc": a v1 hierarchy with cpu
            found = [(m, V1_QUOTA) for m in mounts if m.version == 1 and "cpu" in m.controllers]
        else:
            continue
        for mount, name in found:
            below = mount.below(path)
            if below is not None:
                files += _up_to(mount.point, below, name)
    return files or [CGROUP_ROOT / "cpu.max"]


def _cores_allowed(path: Path) -> int | None:
    """The whole cores a quota file allows (rounded up), or None for no quota."""
    if path.name == V1_QUOTA:  # "-1" for none; the period beside it, both in µs
        quota, period = int(path.read_text()), int((path.parent / V1_PERIOD).read_text())
    else:
        text_quota, text_period = path.read_text().split()[:2]
        if text_quota == "max":
            return None
        quota, period = int(text_quota), int(text_period)
    return max(1, math.ceil(quota / period)) if quota > 0 and period > 0 else None


def usable_cores(cpu_max: Sequence[Path] | None = None) -> int:
    """The cores this process may run on (its CPU affinity), fewer if a cgroup's CPU quota is smaller."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    for path in cpu_max_files() if cpu_max is None else cpu_max:
        try:
            allowed = _cores_allowed(path)
        except (OSError, ValueError):  # no such file, or one of another shape: the others stand
            continue
        if allowed is not None:
            cores = min(cores, allowed)
    return cores


def worker_count(settings: Settings, cpu_max: Sequence[Path] | None = None) -> int:
    """How many processes ``confbot run`` starts: ``CONFBOT_WORKERS``, or for ``auto`` one per usable
    core where replicas can run together and one otherwise."""
    if settings.workers != "auto":
        return settings.workers
    if single_process_reason(settings) is not None:
        return 1
    return min(usable_cores(cpu_max), MAX_AUTO)


def workers_problem(settings: Settings) -> str | None:
    """The preflight's line for ``CONFBOT_WORKERS`` above 1 where only one process can run."""
    reason = single_process_reason(settings)
    if settings.workers == "auto" or settings.workers == 1 or reason is None:
        return None
    return f"CONFBOT_WORKERS={settings.workers} needs replicas, but {reason}; set CONFBOT_WORKERS=1 or auto.\n"


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; a StartupError that says what to change if it can't be bound."""
    try:
        return socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as err:
        raise StartupError(
            f"cannot listen on {host}:{port}: {err.strerror or err}: set CONFBOT_HTTP_PORT (or CONFBOT_HTTP_HOST) "
            "to a free port and an address of this machine"
        ) from None


@dataclass
class WorkerSide:
    """What a worker got from its supervisor: the socket, where to say it serves, which worker of how
    many it is, and its supervisor's pid."""

    sock: socket.socket
    ready_fd: int
    number: int
    count: int
    parent: int
    restarted: bool = False  # started again after one died: the other workers are serving
    all_ready_fd: int = -1  # see ALL_READY_FD (-1: none given, as from a supervisor before it)

    @property
    def name(self) -> str:
        """``2/4``: the second of four workers."""
        return f"{self.number}/{self.count}"

    @classmethod
    def from_env(cls) -> WorkerSide | None:
        """The worker's side when this process was started by a supervisor, else None."""
        fd = os.environ.get(SOCKET_FD)
        if fd is None:
            return None
        number, _, count = os.environ[NAME].partition("/")
        sock = socket.socket(fileno=int(fd))
        restarted = os.environ.get(RESTART) == "1"
        ready_fd, all_ready_fd = int(os.environ[READY_FD]), int(os.environ.get(ALL_READY_FD, "-1"))
        return cls(sock, ready_fd, int(number), int(count), int(os.environ[PARENT]), restarted, all_ready_fd)

    def ready(self) -> None:
        """Tell the supervisor this worker serves (once)."""
        if self.ready_fd >= 0:
            with contextlib.suppress(OSError):
                os.write(self.ready_fd, b"1")
            with contextlib.suppress(OSError):
                os.close(self.ready_fd)
            self.ready_fd = -1

    def others_starting(self) -> str | None:
        """Why this machine is not ready yet although this worker may be: some of its workers are still
        starting (the run's first start); None once every worker has served."""
        if self.all_ready_fd < 0:
            return None
        # readable once the supervisor has closed its end (the end of the file), and for good; the
        # descriptor stays open: probes may run this in two threads at once
        readable, _, _ = select.select([self.all_ready_fd], [], [], 0)
        return None if readable else "other workers of this machine are still starting"

    def inbound_shares(self, shares: Mapping[str, float]) -> dict[str, float]:
        """Each platform's share of a person's inbound limit for this worker, from its share as a replica.

        A platform keeps its connections open and the kernel gives each connection to one worker, so a
        person's messages don't spread evenly over one machine's workers: this machine's workers each
        enforce the machine's share (its workers counted as one replica), not a 1/count of it.
        """
        return {platform: min(1.0, share * self.count) for platform, share in shares.items()}

    async def orphaned(self, stop: asyncio.Event, every: float = 1.0) -> None:
        """Set ``stop`` once the supervisor is gone (this process was re-parented)."""
        while not stop.is_set():
            if os.getppid() != self.parent:
                log.warning("worker %s: the supervisor is gone; stopping", self.name)
                stop.set()
                return
            await asyncio.sleep(every)


class Supervisor:
    """Keeps ``count`` workers running on ``sock`` until SIGTERM/SIGINT (or ``stop``)."""

    def __init__(self, settings: Settings, count: int, sock: socket.socket, metrics_dir: Path) -> None:
        self.settings = settings
        self.count = count
        self.sock = sock
        self.metrics_dir = metrics_dir
        self.stop = asyncio.Event()
        self.failed: int | None = None  # the run's exit status once it has failed
        self._all_ready_read, self._all_ready_write = os.pipe()  # see ALL_READY_FD
        self._served: set[int] = set()  # the workers that have served (each once is enough)

    def _env(self, number: int, ready_fd: int, restart: bool) -> dict[str, str]:
        env = {
            **os.environ,
            SOCKET_FD: str(self.sock.fileno()),
            READY_FD: str(ready_fd),
            ALL_READY_FD: str(self._all_ready_read),
            NAME: f"{number}/{self.count}",
            PARENT: str(os.getpid()),
            RESTART: "1" if restart else "0",
            METRICS_DIR: str(self.metrics_dir),
        }
        if self.settings.replica_id:  # each worker is a replica: ids must differ
            env["CONFBOT_REPLICA_ID"] = f"{self.settings.replica_id}-{number}"
        return env

    async def _spawn(self, number: int, restart: bool) -> tuple[asyncio.subprocess.Process, int]:
        """A new worker process, and the read end of the pipe it writes one byte to once it serves."""
        read_end, write_end = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "adapters.cli",
                "run",
                env=self._env(number, write_end, restart),
                pass_fds=(self.sock.fileno(), write_end, self._all_ready_read),
            )
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        return process, read_end

    async def _serving(self, process: asyncio.subprocess.Process, read_end: int) -> bool:
        """Whether the worker came up (False: it exited first, or the run is stopping)."""
        try:
            said = asyncio.ensure_future(asyncio.to_thread(os.read, read_end, 1))
            stopping = asyncio.ensure_future(self.stop.wait())
            await asyncio.wait({said, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if said.done():
                return bool(said.result())
            await self._end(process)  # its exit closes the pipe, which ends the read
            await said
            return False
        finally:
            os.close(read_end)

    async def _end(self, process: asyncio.subprocess.Process) -> None:
        """SIGTERM, then SIGKILL after :data:`GRACE` seconds (the run then fails)."""
        if process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), GRACE)
        except TimeoutError:
            log.error("a worker (pid %d) did not stop within %g s of SIGTERM: killed", process.pid, GRACE)
            process.kill()
            await process.wait()
            self.failed = self.failed or 1

    def _one_served(self, number: int) -> None:
        """Note that worker ``number`` serves; once every worker has, tell them all (their ``/readyz``)."""
        self._served.add(number)
        if len(self._served) == self.count and self._all_ready_write >= 0:
            os.close(self._all_ready_write)
            self._all_ready_write = -1

    def _give_up(self, status: int) -> None:
        """End the run with ``status`` (a signal's negative status is a plain failure)."""
        self.failed = self.failed or (status if status > 0 else 1)
        self.stop.set()

    async def _keep(self, number: int) -> None:
        """Run worker ``number`` until the run stops, restarting it when it dies; a worker that never
        served, or whose restarts fail :data:`RESTARTS` times in a row or with a configuration error
        (status 2), ends the run (the service manager then decides)."""
        name = f"{number}/{self.count}"
        delay, started, failures = FIRST_RETRY, False, 0
        while not self.stop.is_set():
            process, read_end = await self._spawn(number, restart=started)
            try:
                served = await self._serving(process, read_end)
                if not served:
                    code = await process.wait()
                    if self.stop.is_set():
                        return
                    failures += 1
                    if not started or code == 2 or failures >= RESTARTS:
                        log.error("worker %s could not start (exit status %d): stopping every worker", name, code)
                        self._give_up(code)
                        return
                    log.error("worker %s exited while starting (status %d); trying again in %g s", name, code, delay)
                else:
                    started, failures, began = True, 0, time.monotonic()
                    self._one_served(number)
                    ended = asyncio.ensure_future(process.wait())
                    stopping = asyncio.ensure_future(self.stop.wait())
                    await asyncio.wait({ended, stopping}, return_when=asyncio.FIRST_COMPLETED)
                    stopping.cancel()
                    if self.stop.is_set():
                        return
                    if time.monotonic() - began > STEADY:
                        delay = FIRST_RETRY
                    status, pid = ended.result(), process.pid
                    log.error("worker %s (pid %d) exited with status %d; restarting in %g s", name, pid, status, delay)
            finally:  # stopping, or anything unexpected: this worker does not outlive its slot
                await asyncio.shield(self._end(process))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)
            delay = min(delay * 2, LAST_RETRY)

    async def _close_on_stop(self) -> None:
        """Stop listening as soon as the run stops: a new connection is refused at once (and tried
        elsewhere) instead of waiting in the queue for workers that are stopping."""
        await self.stop.wait()
        self.sock.close()

    async def run(self) -> int:
        """Start the workers and keep them until stopped; the exit status of the whole run."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop.set)
        log.info(
            "confbot: %d worker processes on %s:%d (CONFBOT_WORKERS=%s)",
            self.count,
            self.settings.http_host,
            self.settings.http_port,
            self.settings.workers,
        )
        closing = asyncio.create_task(self._close_on_stop())
        try:
            results = await asyncio.gather(
                *(self._keep(number) for number in range(1, self.count + 1)), return_exceptions=True
            )
        finally:
            self.stop.set()
            await closing
            for fd in (self._all_ready_read, self._all_ready_write):
                if fd >= 0:
                    os.close(fd)
        for result in results:
            if isinstance(result, BaseException):
                log.error("a worker's supervision failed: %r", result)
                self.failed = self.failed or 1
        log.info("every worker stopped")
        return self.failed or 0


@dataclass
class MetricsDir:
    """The workers' metrics directory, locked (``flock``) by this supervisor while it lives: the kernel
    lets go of the lock when the process ends however it ends, so a directory nobody holds is stale."""

    path: Path
    _held: int

    @classmethod
    def fresh(cls, parent: Path | None = None) -> MetricsDir:
        """A new locked directory under ``parent`` ($TMPDIR); those of supervisors that no longer hold
        theirs (SIGKILLed or OOM-killed: no clean-up ran) are removed first."""
        parent = Path(tempfile.gettempdir()) if parent is None else parent
        for stale in parent.glob(f"{METRICS_PREFIX}*"):
            with contextlib.suppress(OSError):  # another user's (mode 0700): not ours to judge
                if (stale / HELD).is_file() and not _held(stale):  # only ours, and only once locked
                    shutil.rmtree(stale, ignore_errors=True)
        path = Path(tempfile.mkdtemp(prefix=METRICS_PREFIX, dir=parent))
        held = os.open(path, os.O_RDONLY)
        fcntl.flock(held, fcntl.LOCK_EX)
        (path / HELD).touch()  # a sweep considers it only from now on: it is locked
        return cls(path, held)

    def remove(self) -> None:
        """Let go of the lock and remove the directory (at the end of the run)."""
        os.close(self._held)
        shutil.rmtree(self.path, ignore_errors=True)


def _held(directory: Path) -> bool:
    """Whether a running process holds ``directory``'s lock."""
    try:
        probe = os.open(directory, os.O_RDONLY)
    except OSError:
        return True  # gone already, or not ours to judge
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(probe)
    return False


def supervise(settings: Settings, count: int) -> int:
    """Run ``count`` workers (see the module's text) until SIGTERM; the exit status."""
    try:
        sock = listen(settings.http_host, settings.http_port)
    except StartupError as error:
        log.error("confbot did not start: %s", error)
        return error.exit_code
    metrics = MetricsDir.fresh()
    try:
        return asyncio.run(Supervisor(settings, count, sock, metrics.path).run())
    finally:
        sock.close()
        metrics.remove()
