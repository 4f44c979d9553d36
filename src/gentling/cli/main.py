"""The `gentling` command line: parse, call a service, render. Nothing else.

Exit codes: 0 done; 1 the request was refused (bad input, unknown animal,
not allowed), with a message saying how to fix it; 2 the command line itself
was malformed (argparse).
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime

from . import animals, arrivals, bench, data, exports, reminders, reports, sessions
from .render import Out


@dataclass
class Context:
    keeper: object
    now: datetime
    out: Out


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")
    common.add_argument("--household", metavar="NAME", help="which household (needed only if you have several)")
    parser = argparse.ArgumentParser(
        prog="gentling",
        description="Gentling: a daily coach for taming pet rats and mice.",
        epilog='Start with `gentling start` (demo data), or `gentling household add "My rats"` '
        "then `gentling animal add`.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data.add_commands(sub, common)
    animals.add_commands(sub, common)
    sessions.add_commands(sub, common)
    arrivals.add_commands(sub, common)
    reports.add_commands(sub, common)
    reminders.add_commands(sub, common)
    exports.add_commands(sub, common)
    bench.add_commands(sub, common)
    return parser


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gentling.settings")
    import django

    django.setup()


def ensure_database() -> None:
    """Create or upgrade the database on first use, so no separate set-up step is needed."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0, interactive=False)


def _attach_negative_values(argv: list[str]) -> list[str]:
    """argparse reads '--length -5m' as two options; join it so the value is checked and refused clearly."""
    out: list[str] = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and re.match(r"^-\d", token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def main(argv: list[str] | None = None, *, now: datetime | None = None, stdout=None) -> int:
    parser = build_parser()
    args = parser.parse_args(_attach_negative_values(list(sys.argv[1:] if argv is None else argv)))
    from django.core.exceptions import ImproperlyConfigured

    try:
        _setup_django()
    except ImproperlyConfigured as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1

    from .. import clock, failures
    from ..domain.errors import GentlingError
    from ..services.households import local_keeper

    out = Out(json_mode=args.json, stream=stdout or sys.stdout)
    try:
        ensure_database()
        keeper = local_keeper(os.environ.get("GENTLING_KEEPER") or getpass.getuser() or "keeper")
        return args.handler(args, Context(keeper, now or clock.now(), out)) or 0
    except GentlingError as exc:
        out.error(exc.message, exc.field)
        return 1
    except Exception as exc:
        if not failures.is_unavailable(exc):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        out.error(
            f"The database is unavailable ({first}), so nothing was done. Check that it is running and "
            "that DATABASE_URL (or GENTLING_HOME for SQLite) points at it, then try again.",
            "database",
        )
        return EXIT_DATABASE_UNAVAILABLE


EXIT_DATABASE_UNAVAILABLE = 3  # 1 is a refusal (bad input, not allowed); 3 means: try again later


def run() -> None:
    try:
        sys.exit(main())
    except BrokenPipeError:
        # The reader went away (`gentling today | head`): stop quietly, as other commands do.
        # Python would report the same error again while flushing stdout at exit; point it at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)  # 128 + SIGPIPE, what a shell reports for a command a pipe cut short
