"""Serving the web app with gunicorn (a real WSGI server, not Django's runserver).
Static files come from whitenoise inside the app."""

from __future__ import annotations

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


def serve(*, host: str, port: int, workers: int = 1, threads: int = 4) -> None:
    # One process with threads suits SQLite's single writer; PostgreSQL deployments
    # can run more workers (see the README).
    _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "threads": threads,
               "accesslog": "-", "errorlog": "-", "timeout": 30}).run()
