"""Serving the web app with gunicorn (a real WSGI server, not Django's runserver).
Static files come from whitenoise inside the app."""

from __future__ import annotations

import gc

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


def serve(*, host: str, port: int, workers: int = 1, threads: int = 4) -> None:
    # One process with threads suits SQLite's single writer; PostgreSQL deployments
    # can run more workers (docs/deploy.md).
    _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "threads": threads,
               "accesslog": "-", "errorlog": "-", "timeout": 30,
               "post_worker_init": _freeze_startup_objects}).run()
