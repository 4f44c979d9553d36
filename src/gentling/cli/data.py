"""Households, vocabulary, demo data, backups and the cache check; `protocol` is in protocols.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..domain import vocab
from ..domain.errors import InvalidInput
from . import protocols


def add_commands(sub, common) -> None:
    start = sub.add_parser(
        "start", parents=[common], help="set up, load the demo household, show today's plan and serve the web app"
    )
    start.add_argument(
        "--no-serve", action="store_true", help="set up and print the plan, but do not start the web app"
    )
    _serve_options(start)
    start.set_defaults(handler=cmd_start)

    serve = sub.add_parser("serve", parents=[common], help="serve the web app")
    _serve_options(serve)
    serve.set_defaults(handler=cmd_serve)

    demo = sub.add_parser(
        "demo", parents=[common], help="create a realistic demo household with a few weeks of history"
    )
    demo.add_argument("--reset", action="store_true", help="delete the demo household first and make it again")
    demo.set_defaults(handler=cmd_demo)

    hh = sub.add_parser("household", help="add or list households")
    hsub = hh.add_subparsers(dest="action", required=True, metavar="ACTION")
    hadd = hsub.add_parser("add", parents=[common], help="create a household you own")
    hadd.add_argument("name")
    hadd.add_argument("--time-zone", metavar="ZONE", help="e.g. Europe/London (default: GENTLING_TIME_ZONE or UTC)")
    hadd.set_defaults(handler=cmd_household_add)
    hlist = hsub.add_parser("list", parents=[common], help="your households")
    hlist.set_defaults(handler=cmd_household_list)

    voc = sub.add_parser("vocab", parents=[common], help="the names of activities and observations for `gentling log`")
    voc.set_defaults(handler=cmd_vocab)

    protocols.add_commands(sub, common)

    exp = sub.add_parser("export", parents=[common], help="write a JSON backup of the households you own")
    exp.add_argument("file", nargs="?", type=Path, help="where to write it (default: print it)")
    exp.add_argument(
        "--full",
        action="store_true",
        help="the whole server: every household and every account with its password hash, for "
        "disaster recovery (a FILE is required; keep it as secret as the database)",
    )
    exp.set_defaults(handler=cmd_export)
    imp = sub.add_parser(
        "import",
        parents=[common],
        help="restore a JSON backup: its households become yours (other members are invited again)",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--replace", action="store_true", help="restore over a household of yours that is already here (owners only)"
    )
    imp.add_argument(
        "--full",
        action="store_true",
        help="restore an instance backup (export --full) onto an empty server, accounts and all",
    )
    imp.set_defaults(handler=cmd_import)

    verify = sub.add_parser("verify", parents=[common], help="check that cached progress matches a full recompute")
    verify.set_defaults(handler=cmd_verify)


def _serve_options(p) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="server processes (default 1, which serves phones directly; more listen on 127.0.0.1 "
        "only, behind a proxy such as nginx: docs/deploy.md)",
    )
    p.add_argument(
        "--behind-proxy",
        action="store_true",
        help="with --workers: the only client on --host is a proxy on another machine",
    )
    p.add_argument(
        "--no-reminders",
        action="store_true",
        help="do not send reminders from this process (run `gentling remind` from cron instead)",
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def cmd_start(args, ctx) -> int:
    from ..server import check_layout
    from ..services.demo import DEMO_NAME, demo_web_login, ensure_demo
    from .sessions import cmd_today

    if not args.no_serve:
        check_layout(host=args.host, workers=args.workers, behind_proxy=args.behind_proxy)  # before the plan
    household, created = ensure_demo(keeper=ctx.keeper, now=ctx.now)
    username, password = demo_web_login(household)
    address = f"http://{args.host}:{args.port}/"
    if ctx.out.json_mode:
        ctx.out.json({"household": household.name, "address": address, "login": username, "password": password})
    else:
        ctx.out.say("Gentling is set up." + (" A demo household was created." if created else ""), style="bold green")
        args.household, args.date = DEMO_NAME, None
        cmd_today(args, ctx)
        ctx.out.say("")
        ctx.out.say(f"Web app: {address}   Demo login: {username} / {password}", style="bold")
        ctx.out.say("(A new demo password is made each time you run `gentling start`.)", style="dim")
    if args.no_serve:
        return 0
    return cmd_serve(args, ctx)


def cmd_serve(args, ctx) -> int:
    from ..server import check_layout, serve

    check_layout(host=args.host, workers=args.workers, behind_proxy=args.behind_proxy)
    if not ctx.out.json_mode:
        ctx.out.say(f"Serving Gentling on http://{args.host}:{args.port}/ (Ctrl+C stops it).", style="bold green")
    serve(
        host=args.host,
        port=args.port,
        workers=args.workers,
        behind_proxy=args.behind_proxy,
        reminders=not args.no_reminders,
    )
    return 0


def cmd_demo(args, ctx) -> int:
    from ..services.demo import ensure_demo

    household, created = ensure_demo(keeper=ctx.keeper, now=ctx.now, reset=args.reset)
    if ctx.out.json_mode:
        ctx.out.json({"household": household.name, "id": household.public_id, "created": created})
    else:
        word = "Created" if created else "Already there:"
        ctx.out.say(f"{word} the demo household '{household.name}'. See it: gentling today --household Demo")
    return 0


def cmd_household_add(args, ctx) -> int:
    from ..services.households import create_household

    household = create_household(keeper=ctx.keeper, name=args.name, time_zone=args.time_zone)
    if ctx.out.json_mode:
        ctx.out.json({"id": household.public_id, "name": household.name, "time_zone": household.time_zone})
    else:
        ctx.out.say(
            f"Created household '{household.name}' ({household.time_zone}). "
            f"Add an animal: gentling animal add NAME --species rat --source pet_store",
            style="bold green",
        )
    return 0


def cmd_household_list(args, ctx) -> int:
    from ..services.households import households_listed

    rows = [
        {"id": h.public_id, "name": h.name, "time_zone": h.time_zone, "role": h.role, "animals": h.active_animals}
        for h in households_listed(ctx.keeper)
    ]
    if ctx.out.json_mode:
        ctx.out.json({"households": rows})
    elif not rows:
        ctx.out.say('No households yet. Create one: gentling household add "My rats"')
    else:
        ctx.out.table(
            "Your households",
            ["Name", "Your role", "Active animals", "Time zone", "Id"],
            [[r["name"], r["role"], r["animals"], r["time_zone"], r["id"]] for r in rows],
        )
    return 0


def cmd_vocab(args, ctx) -> int:
    from ..domain.arrivals import arrivals_protocol

    behaviours = arrivals_protocol().behaviours
    data = {
        **vocab.as_dict(),
        "introduction_behaviours": [
            {"name": k, "label": v, "kind": kind}
            for kind, group in (("normal", behaviours.normal), ("danger", behaviours.danger))
            for k, v in group.items()
        ],
    }
    if ctx.out.json_mode:
        ctx.out.json(data)
        return 0
    ctx.out.table(
        "Activities (gentling log --did ...)",
        ["Name", "Meaning"],
        [[a["name"], a["meaning"]] for a in data["activities"]],
    )
    ctx.out.table(
        "Observations (gentling log --saw ...)",
        ["Name", "Reads as", "Meaning"],
        [[o["name"], o["signal"], o["meaning"]] for o in data["observations"]],
    )
    ctx.out.table(
        "Extended hold endings (--extended-hold-end)",
        ["Name", "Meaning"],
        [[e["name"], e["label"]] for e in data["extended_hold_endings"]],
    )
    ctx.out.table(
        "Introduction behaviours (gentling intro meet --saw ...)",
        ["Name", "Kind", "Meaning"],
        [[b["name"], b["kind"], b["label"]] for b in data["introduction_behaviours"]],
    )
    ctx.out.say("Sources: " + ", ".join(vocab.SOURCES) + ".   Species: " + ", ".join(vocab.SPECIES) + ".")
    ctx.out.say(
        "Lab and household protocols add their own words (and measures, --measure NAME=VALUE): "
        "gentling protocol list, then gentling protocol show REF.",
        style="dim",
    )
    return 0


def cmd_export(args, ctx) -> int:
    from ..services.backup import export_backup_file, export_instance_file, write_backup_for
    from ..services.households import household_for, households_of, is_owner

    if args.full:
        if not args.file:
            raise InvalidInput(
                "file", "An instance backup holds password hashes: give a FILE to write it to, it is not printed."
            )
        written = export_instance_file(args.file, now=ctx.now)
        ctx.out.say(
            f"Wrote {args.file}: every account and {written['households']} household(s), "
            f"{written['sessions']} session(s). It holds password hashes: keep it secret.",
            style="bold green",
        )
        return 0
    if args.household:
        households = [household_for(ctx.keeper, args.household)]
    else:  # all the households you own
        households = [h for h in households_of(ctx.keeper) if is_owner(ctx.keeper, h)]
    if not args.file:
        write_backup_for(ctx.keeper, households, ctx.out.stream or sys.stdout, now=ctx.now)
        return 0
    written = export_backup_file(ctx.keeper, households, args.file, now=ctx.now)
    if ctx.out.json_mode:
        ctx.out.json({"file": str(args.file), "households": written["households"]})
    else:
        ctx.out.say(
            f"Wrote {args.file}: {written['households']} household(s), {written['sessions']} session(s).",
            style="bold green",
        )
    return 0


def cmd_import(args, ctx) -> int:
    from ..services.restore import import_backup_file, import_instance_file

    if args.full:
        summary = import_instance_file(args.file, keeper=ctx.keeper, now=ctx.now)
    else:
        summary = import_backup_file(args.file, keeper=ctx.keeper, now=ctx.now, replace=args.replace)
    if ctx.out.json_mode:
        ctx.out.json(summary)
        return 0
    ctx.out.say(
        f"Imported {summary['households']} household(s), {summary['animals']} animal(s), "
        f"{summary['sessions']} session(s) from {args.file}.",
        style="bold green",
    )
    if summary.get("note"):
        ctx.out.say(summary["note"])
    return 0


def cmd_verify(args, ctx) -> int:
    from ..services.progress import verify_snapshots

    checked, bad = verify_snapshots()
    if ctx.out.json_mode:
        ctx.out.json(
            {
                "checked": checked,
                "mismatches": [
                    {"animal": m.animal.public_id, "cached_step": m.cached_step, "computed_step": m.computed_step}
                    for m in bad
                ],
            }
        )
    elif bad:
        for m in bad:
            ctx.out.say(f"{m.animal.name}: cached '{m.cached_step}', recomputed '{m.computed_step}'", style="red")
        ctx.out.say(f"{len(bad)} of {checked} cached progress records differ from a full recompute.", style="bold red")
    else:
        ctx.out.say(
            f"All {checked} cached progress records match a full recompute from the sessions.", style="bold green"
        )
    return 1 if bad else 0
