"""`gentling csv sessions|meetings`: a household's records as CSV, for spreadsheets.

The columns are documented in services/csv_export.py.
"""

from __future__ import annotations

import sys
from pathlib import Path


def add_commands(sub, common) -> None:
    p = sub.add_parser("csv", parents=[common], help="export sessions or introduction meetings as CSV")
    p.add_argument("what", choices=["sessions", "meetings"], help="which records")
    p.add_argument("file", nargs="?", type=Path, help="where to write it (default: print it)")
    p.set_defaults(handler=cmd_csv)


def cmd_csv(args, ctx) -> int:
    from ..domain.errors import InvalidInput
    from ..services.csv_export import EXPORTS, write_csv
    from ..services.households import household_for

    if ctx.out.json_mode and args.file is None:
        raise InvalidInput(
            "file",
            "--json prints a summary of the file written: name a FILE, or leave out --json to print the CSV itself.",
        )
    household = household_for(ctx.keeper, args.household)
    rows = EXPORTS[args.what](household)
    if args.file is None:
        write_csv(rows, ctx.out.stream or sys.stdout)
        return 0
    try:
        with args.file.open("w", encoding="utf-8", newline="") as f:
            count = write_csv(rows, f)
    except OSError as exc:
        raise InvalidInput("file", f"Cannot write {args.file}: {exc.strerror or exc}.") from None
    if ctx.out.json_mode:
        ctx.out.json({"file": str(args.file), "rows": count})
    else:
        ctx.out.say(
            f"Wrote {args.file}: {count} {args.what[:-1] if count == 1 else args.what} from {household.name}.",
            style="bold green",
        )
    return 0
