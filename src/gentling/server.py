"""Serving the web app: `gentling serve` (a real server, not Django's runserver).
Static files come from whitenoise inside the app.

**One process** (the default, and the layout where phones on a home network
reach Gentling directly): waitress. Its one I/O thread reads every request
whole, headers and body, before one of the THREADS threads that run Django
sees it, and writes every answer out itself. An idle connection, a phone on a
weak signal or a client sending ten bytes a second costs a file descriptor and
holds up nobody. A connection silent for IDLE_SECONDS is closed.
(Gunicorn's threads read from the client themselves: four connections that
sent headers and then nothing stopped every other keeper.)

**Several processes** (`--workers N`, PostgreSQL behind nginx; docs/deploy.md):
gunicorn's sync workers, one request at a time each, measured the fastest
behind a buffering proxy. A sync worker reads from its client itself, so it
must only ever hear the proxy, which reads slow clients whole first: these
processes listen on the loopback address only, unless `--behind-proxy` says
that the only client on the address given is a proxy on another machine.
"""

from __future__ import annotations

import gc
import ipaddress
import logging
import signal
import sys
import threading
from collections.abc import Callable

import waitress
from django.db import connections
from gunicorn.app.base import BaseApplication

from .domain.errors import InvalidInput

log = logging.getLogger(__name__)

# One process: the threads that run Django. They share SQLite's one writer.
THREADS = 4
# A connection that sends nothing (and is owed nothing) for this long is closed.
IDLE_SECONDS = 60
# Connections held open at once (each costs a file descriptor, of 1,024 by default).
CONNECTION_LIMIT = 500
# The largest body read: a 50 MB backup upload with room for the form around it.
BODY_LIMIT_BYTES = 64 * 1024 * 1024

# Several processes each serve one request at a time (gunicorn's sync workers), behind a buffering proxy.
# Python threads share one interpreter lock, and keep-alive connections stick to the process that took
# them; with one request per process the kernel hands each new connection to an idle one. Measured on
# 2 cores: about 20% more sessions/s than 4 threads each, and half the p99 at 100/s.
# A sync worker busy for longer than this is killed as stuck: long enough for the longest request,
# a full backup download (about 45 s for a three-year, 500-animal rescue; docs/performance.md).
SYNC_TIMEOUT_SECONDS = 300


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .wsgi import application

        return application


def check_layout(*, host: str, workers: int, behind_proxy: bool = False) -> None:
    """Several processes are for behind a proxy (see the module's docstring): on the loopback address,
    or on another when the operator says a proxy on another machine is the only client."""
    if workers > 1 and not behind_proxy and not _is_loopback(host):
        raise InvalidInput(
            "--host",
            f"--workers {workers} listens on 127.0.0.1 only, behind a proxy such as "
            "nginx that reads slow clients first (docs/deploy.md). To serve phones "
            "directly, run one process: leave out --workers. For a proxy on another "
            "machine, add --behind-proxy.",
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def waitress_options(*, host: str, port: int) -> dict:
    return {
        "host": host,
        "port": port,
        "threads": THREADS,
        "channel_timeout": IDLE_SECONDS,
        "connection_limit": CONNECTION_LIMIT,
        "max_request_body_size": BODY_LIMIT_BYTES,
        # poll(), not select(), which cannot watch a descriptor numbered 1,024 or more.
        "asyncore_use_poll": True,
        # Forwarded headers reach the app unchanged: its own settings say whom to trust
        # (GENTLING_TRUSTED_PROXY_COUNT, GENTLING_PRODUCTION; docs/deploy.md).
        "clear_untrusted_proxy_headers": False,
        "ident": "Gentling",
    }


def gunicorn_options(*, host: str, port: int, workers: int) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 1,
        "worker_class": "sync",
        "timeout": SYNC_TIMEOUT_SECONDS,
        "errorlog": "-",  # the access log is the app's (failures.py)
        "post_worker_init": _worker_started,
    }


def _worker_started(worker) -> None:
    _freeze_startup_objects()
    # Each worker's own memory of today's plans: made by the worker, whoever runs the reminders.
    start_days_here()


def _freeze_startup_objects() -> None:
    """Move what start-up made (Django, matplotlib, the protocols: ~150k objects) out of the
    garbage collector's sight: its full sweeps then take ~5 ms instead of 70-100 ms, which
    showed as the slow tail of page times."""
    gc.collect()
    gc.freeze()


REMIND_EVERY_SECONDS = 60


def start_reminders(every: float = REMIND_EVERY_SECONDS, *, forking: bool = False) -> Callable[[], None]:
    """Send the reminders that are due, and start each household's day (services/day_start.py), now
    and every minute, in a thread of this process: the single-machine install needs no cron job.
    An organisation running `gentling remind` on its own turns this off (serve --no-reminders;
    docs/deploy.md); both running sends nothing twice.

    `forking=True` where this process forks workers (gunicorn): a process forked while another of
    its threads holds locks (a database driver's, logging's) can hang or crash. So the thread waits
    a round before its first, while the workers start, and starts no days: that replays many
    animals for seconds, and a worker forked again meanwhile (after one died) would inherit its
    locks. Each worker starts its days itself (`start_days_here`), or `gentling remind` does it.
    Call what it returns to stop it (and wait for a round under way to end)."""
    from . import clock
    from .services import day_start
    from .services.reminders import send_due

    def round_() -> None:
        send_due(clock.now())
        if not forking:
            day_start.start_days(clock.now(), remember=True)  # before the first Today of the day asks

    return _every(every, round_, "sending reminders or starting the day", wait_first=forking)


def start_days_here(every: float = REMIND_EVERY_SECONDS) -> Callable[[], None]:
    """In a gunicorn worker: start each household's day for this process (services/day_start.py,
    remember=True), now and every minute, so that its first Today of a day reads nothing old. A
    worker forks nothing, so its thread is safe where the master's is not."""
    from . import clock
    from .services import day_start

    return _every(every, lambda: day_start.start_days(clock.now(), remember=True), "starting the day")


def _every(every: float, work: Callable[[], object], what: str, *, wait_first: bool = False) -> Callable[[], None]:
    """Run `work` now (or after a round, with `wait_first`) and every `every` seconds in a daemon
    thread; returns the function that stops it (and waits for a round under way to end)."""
    stop = threading.Event()

    def loop() -> None:
        if wait_first:
            stop.wait(every)
        while not stop.is_set():
            try:
                work()
            except Exception:  # a database that cannot answer now may answer in a minute
                log.exception("%s failed; trying again in a minute", what)
            finally:
                connections.close_all()
            stop.wait(every)

    thread = threading.Thread(target=loop, name="gentling-background", daemon=True)
    thread.start()

    def stop_it() -> None:
        stop.set()
        thread.join()

    return stop_it


def serve(*, host: str, port: int, workers: int = 1, behind_proxy: bool = False, reminders: bool = True) -> None:
    check_layout(host=host, workers=workers, behind_proxy=behind_proxy)
    # The command line has already used the database (it checked the schema and found its keeper).
    # Gunicorn forks its workers from this process: a connection still open here would be shared
    # by all of them, and their queries and answers would interleave on it.
    connections.close_all()
    if reminders:
        # In this process only: gunicorn's forked workers do not inherit the thread.
        start_reminders(forking=workers > 1)
    if workers > 1:
        _Gunicorn(gunicorn_options(host=host, port=port, workers=workers)).run()
        return
    from .wsgi import application

    _freeze_startup_objects()
    # SIGTERM (systemd's stop) ends the loop as Ctrl+C does: requests running get a few seconds to finish.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    waitress.serve(application, **waitress_options(host=host, port=port))
