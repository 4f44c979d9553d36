"""Serving the web app with gunicorn (a real WSGI server, not Django's runserver).
Static files come from whitenoise inside the app."""

from __future__ import annotations

import gc

from django.db import connections
from gunicorn.app.base import BaseApplication


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


def _freeze_startup_objects(worker) -> None:
    """Move what start-up made (Django, matplotlib, the protocols: ~150k objects) out of the
    garbage collector's sight: its full sweeps then take ~5 ms instead of 70-100 ms, which
    showed as the slow tail of page times."""
    gc.collect()
    gc.freeze()


# One process with threads: a slow phone on the Wi-Fi cannot hold the others up, and the threads
# share SQLite's one writer. Gunicorn's heartbeat runs beside the threads, so a long request is fine.
THREADS_FOR_ONE_WORKER = 4
# Several processes run one request at a time each (gunicorn's sync workers), behind a buffering proxy
# (docs/deploy.md). Python threads share one interpreter lock, and keep-alive connections stick to the
# process that took them; with one request per process the kernel hands each new connection to an idle
# one. Measured on 2 cores: about 20% more sessions/s than 4 threads each, and half the p99 at 100/s.
THREADS_FOR_SEVERAL_WORKERS = 1
# A sync worker busy for longer than this is killed as stuck: long enough for the longest request,
# a full backup download (about 45 s for a three-year, 500-animal rescue; docs/performance.md).
SYNC_TIMEOUT_SECONDS = 300
THREADED_TIMEOUT_SECONDS = 30


def gunicorn_options(*, host: str, port: int, workers: int = 1, threads: int | None = None) -> dict:
    """Gunicorn's settings for `gentling serve`; with no `threads`, the best for the number of workers."""
    if threads is None:
        threads = THREADS_FOR_ONE_WORKER if workers == 1 else THREADS_FOR_SEVERAL_WORKERS
    return {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": THREADED_TIMEOUT_SECONDS if threads > 1 else SYNC_TIMEOUT_SECONDS,
            "accesslog": "-", "errorlog": "-", "post_worker_init": _freeze_startup_objects}


def serve(*, host: str, port: int, workers: int = 1, threads: int | None = None) -> None:
    # The command line has already used the database (it checked the schema and found its keeper).
    # Gunicorn forks its workers from this process: a connection still open here would be shared
    # by all of them, and their queries and answers would interleave on it.
    connections.close_all()
    _Gunicorn(gunicorn_options(host=host, port=port, workers=workers, threads=threads)).run()
