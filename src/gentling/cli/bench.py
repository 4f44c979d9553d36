"""`gentling bench ...`: benchmark data (`generate`), the benchmark (`run`), and one
database's share of it (`measure`, which `run` starts once per database).

The profiles are described in bench/generate.py. The names are repeated here because
the parser is built before Django is set up (generate.py imports the models); a test
keeps the two lists equal.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

PROFILE_NAMES = ("home", "rescue", "rescue-1pct", "network")

GENERATE_HELP = """Write a realistic benchmark dataset into the database this environment uses
(DATABASE_URL, else the SQLite file in GENTLING_HOME). WARNING: it first DELETES the
profile's households ("Bench PROFILE") and their bench-PROFILE-owner-N users in that
database, then makes them again. Other households are left alone. Profiles: home (4
animals, 1 year), rescue (500 animals, 3 years, about a million sessions), rescue-1pct
(the same animals, 11 days), network (10,000 households of 1 to 10 animals)."""


def add_commands(sub, common) -> None:
    bench = sub.add_parser("bench", help="benchmark data and measurements")
    bsub = bench.add_subparsers(dest="action", required=True, metavar="ACTION")

    gen = bsub.add_parser(
        "generate",
        parents=[common],
        description=GENERATE_HELP,
        help="replace a profile's benchmark households with fresh realistic data",
    )
    gen.add_argument("profile", choices=PROFILE_NAMES, metavar="PROFILE", help=", ".join(PROFILE_NAMES))
    gen.add_argument("--seed", type=int, default=1, help="the same seed gives the same data (default 1)")
    gen.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the day after the last session (default: each household's local today)"
    )
    gen.set_defaults(handler=cmd_generate)

    run = bsub.add_parser(
        "run", parents=[common], description=RUN_HELP, help="measure every benchmark figure on SQLite and on PostgreSQL"
    )
    _measure_options(run)
    run.add_argument(
        "--postgres-url",
        metavar="URL",
        default=os.environ.get("GENTLING_BENCH_POSTGRES_URL"),
        help="a PostgreSQL database the benchmark may fill (default: $GENTLING_BENCH_POSTGRES_URL; "
        "without one, PostgreSQL is skipped and the output says so)",
    )
    run.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        default=Path("bench-data"),
        help="where the SQLite benchmark databases live (default ./bench-data)",
    )
    run.add_argument("--check", action="store_true", help="exit with status 1 when a figure misses its target")
    _write_docs_option(run, "the table", "bench run")
    run.set_defaults(handler=cmd_run)

    measure = bsub.add_parser(
        "measure", parents=[common], help="measure on the database this environment uses (what `run` does per database)"
    )
    _measure_options(measure)
    measure.add_argument(
        "--import-env", default="{}", metavar="JSON", help="environment of the empty database the import goes into"
    )
    measure.set_defaults(handler=cmd_measure)

    prof = bsub.add_parser(
        "profile",
        parents=[common],
        description=PROFILE_HELP,
        help="profile logging a session (API and web form) on the rescue data, function by function",
    )
    prof.add_argument("--requests", type=int, default=300, help="sessions logged under the profiler (default 300)")
    prof.add_argument("--way", nargs="+", choices=("api", "web"), default=["api", "web"], help="api, web or both")
    _write_docs_option(prof, "the tables", "bench profile")
    prof.set_defaults(handler=cmd_profile)

    net = bsub.add_parser(
        "network",
        parents=[common],
        description=NETWORK_HELP,
        help="the network profile (10,000 households) on 4 processes, PostgreSQL and a shared Redis cache",
    )
    net.add_argument(
        "--redis-url",
        metavar="URL",
        default=os.environ.get("GENTLING_BENCH_REDIS_URL"),
        help="the Redis the 4 processes share as their cache, e.g. redis://127.0.0.1:6379/13 "
        "(default: $GENTLING_BENCH_REDIS_URL)",
    )
    net.add_argument("--seconds", type=float, default=5, help="seconds per logging phase (default 5)")
    net.add_argument("--phases", type=int, default=5, help="logging phases; the figure is their median (default 5)")
    _write_docs_option(net, "the figures", "bench network")
    net.set_defaults(handler=cmd_network)


def _write_docs_option(p, what: str, markers: str) -> None:
    p.add_argument(
        "--write-docs",
        nargs="?",
        const=Path("docs/performance.md"),
        type=Path,
        metavar="FILE",
        help=f"write {what} into FILE (default docs/performance.md), between its '{markers}' markers",
    )


RUN_HELP = """Measure today's plan (service and HTTP, full history and 1%), API session logging
(throughput with 2 workers, p99 at 100 requests/s), the animal page with charts, `gentling
today` as a process, and a full export and import, on SQLite and on PostgreSQL. Missing
benchmark data (profiles rescue and rescue-1pct, seed 1) is generated first: a few minutes
per database, once. Prints medians and 95th percentiles beside the targets, and whether
each was met (--check: exit 1 on a miss; --write-docs: into docs/performance.md)."""

PARTS = ("plan", "animal", "api", "slow-clients", "outside-lock", "calendar", "cli", "backup")


def _measure_options(p) -> None:
    p.add_argument("--runs", type=int, default=30, help="timed runs per figure (default 30)")
    p.add_argument(
        "--seconds",
        type=float,
        default=5,
        help="seconds per API load phase (default 5; 5 phases each with 1, 8 and 32 clients); "
        "the outside lock is held 5 times as long",
    )
    p.add_argument("--only", nargs="+", choices=PARTS, metavar="PART", help=f"measure only some of: {', '.join(PARTS)}")
    p.add_argument(
        "--small",
        action="store_true",
        help=f"a {SMALL[0]}-animal, {SMALL[1]}-day stand-in for the rescue data: to try the command out in "
        "a minute (its figures say nothing about scale)",
    )


SMALL = (12, 60)  # animals, days of history of the `--small` stand-in for `rescue`


def cmd_generate(args, ctx) -> int:
    from ..bench.generate import generate
    from ..domain.validation import parse_date

    today = parse_date(args.today, "today", ctx.now.date()) if args.today else None

    def progress(line: str) -> None:
        print(f"  {line}", file=sys.stderr, flush=True)

    print(
        f"Generating '{args.profile}' (seed {args.seed}); this replaces its households...", file=sys.stderr, flush=True
    )
    summary = generate(args.profile, seed=args.seed, today=today, progress=progress)
    if ctx.out.json_mode:
        ctx.out.json(asdict(summary))
        return 0
    rows = [
        [name, f"{getattr(summary, name):,}"]
        for name in ("households", "animals", "sessions", "health_checks", "quarantines", "introductions")
    ]
    rows += [["seconds", f"{summary.seconds:,.1f}"]]
    rows += [[f"step today: {step}", f"{count:,}"] for step, count in summary.steps.items()]
    ctx.out.table(f"Bench {summary.profile}, seed {summary.seed}", ["", "count"], rows)
    return 0


def cmd_measure(args, ctx) -> int:
    import tempfile

    from ..bench.generate import PROFILES, generate, generated
    from ..bench.measure import measure

    for profile, days in (("rescue", SMALL[1]), ("rescue-1pct", max(1, SMALL[1] // 100))):
        size = {"animals": SMALL[0], "days": days} if args.small else {}
        wanted = SMALL[0] if args.small else PROFILES[profile].animals[0]
        if not generated(profile, wanted):
            print(
                f"Generating the '{profile}' data in this database (seed 1; reused by later runs)...",
                file=sys.stderr,
                flush=True,
            )
            generate(profile, seed=1, **size)
    with tempfile.TemporaryDirectory(prefix="gentling-bench-") as scratch:
        result = measure(
            runs=args.runs,
            seconds=args.seconds,
            scratch=Path(scratch),
            import_env=json.loads(args.import_env),
            only=set(args.only) if args.only else None,
        )
    if ctx.out.json_mode:
        ctx.out.json(result)
    else:
        ctx.out.say(json.dumps(result, indent=2))
    return 0


PROFILE_HELP = """Log sessions through the whole Django stack in this process, under cProfile, on the
database this environment uses (its 'rescue' benchmark data, generated first if missing):
as the API's POST of a session and as the web's Log a session form. Prints, per request, the
functions with the most time of their own and Gentling's functions with the most time in all.
The sessions it logs are deleted afterwards."""


def cmd_profile(args, ctx) -> int:
    from django.db import connection

    from ..bench import profile
    from ..bench.generate import PROFILES, generate, generated
    from ..bench.measure import bench_household
    from ..bench.run import write_section
    from ..domain.errors import InvalidInput

    if not 10 <= args.requests <= 100_000:
        raise InvalidInput("requests", f"--requests {args.requests}: give 10 to 100,000.")
    if not generated("rescue", PROFILES["rescue"].animals[0]):
        print("Generating the 'rescue' data in this database (seed 1)...", file=sys.stderr, flush=True)
        generate("rescue", seed=1)
    household = bench_household("rescue")
    found = [profile.profile_logging(household, way, args.requests) for way in args.way]
    lines = profile.markdown(found, connection.vendor)
    if ctx.out.json_mode:
        ctx.out.json([asdict(p) for p in found])
    else:
        ctx.out.say("\n".join(lines))
    if args.write_docs:
        command = " ".join(["gentling bench profile --requests", str(args.requests), "--way", *args.way])
        write_section(args.write_docs, profile.MARKERS, lines, command=command, title="Where a write's time goes")
        ctx.out.say(f"Wrote the profile into {args.write_docs}.")
    return 0


NETWORK_HELP = """Serve the 'network' benchmark data (10,000 households of 1 to 10 animals; generated
first if missing, about ten minutes) as docs/deploy.md's organisation layout: gentling serve
--workers 4 on the PostgreSQL database of DATABASE_URL, with one Redis cache shared by the 4
processes. Prints the Today page of 40 households picked at random (first and second view),
sessions/s logged over the API by a volunteer caring for animals in 100 households (8
connections), and the share of charts served from the shared cache on a second view."""


def cmd_network(args, ctx) -> int:
    from ..bench import network
    from ..bench.generate import generate
    from ..bench.run import write_section
    from ..domain.errors import InvalidInput

    if not args.redis_url:
        raise InvalidInput("--redis-url", "Give --redis-url redis://HOST:PORT/DB: the 4 processes share that cache.")
    if not 1 <= args.phases <= 50 or not 0 < args.seconds <= 600:
        raise InvalidInput("--phases", "Give 1 to 50 --phases of up to 600 --seconds.")
    if not network.generated():
        print("Generating the 'network' data in this database (seed 1)...", file=sys.stderr, flush=True)
        generate("network", seed=1)
    found = network.measure_network(redis_url=args.redis_url, seconds=args.seconds, phases=args.phases)
    if ctx.out.json_mode:
        ctx.out.json(found)
        return 0
    rows = network.rows(found)
    ctx.out.table("Gentling on 4 processes, PostgreSQL and a shared Redis cache", ["figure", "measured"], rows)
    if args.write_docs:
        command = f"gentling bench network --seconds {args.seconds:g} --phases {args.phases}"
        lines = ["| figure | measured |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]
        write_section(args.write_docs, network.MARKERS, lines, command=command, title="More than one machine")
        ctx.out.say(f"Wrote the figures into {args.write_docs}.")
    return 0


def cmd_run(args, ctx) -> int:
    from ..bench import run

    options = [
        "--runs",
        str(args.runs),
        "--seconds",
        str(args.seconds),
        *(["--only", *args.only] if args.only else []),
        *(["--small"] if args.small else []),
    ]
    results = {}
    for target in run.targets(args.data_dir.resolve(), args.postgres_url):
        problem = run.ensure_postgres_database(args.postgres_url) if target.name == "PostgreSQL" else None
        print(f"Measuring on {target.name}...", file=sys.stderr, flush=True)
        results[target.name] = {"error": problem} if problem else run.run_child(target, options)
    if not args.postgres_url:
        results["PostgreSQL"] = {"error": "skipped: give --postgres-url (or set GENTLING_BENCH_POSTGRES_URL)"}
    if ctx.out.json_mode:
        ctx.out.json(
            {
                "results": results,
                "targets": {k: v[0] for k, v in run.TARGETS.items()},
                "met": {db: run.verdicts(r) for db, r in results.items() if "error" not in r},
            }
        )
        return 0
    names = list(results)
    table = run.rows(results)
    ctx.out.table(
        "Gentling benchmark: median / p95 (docs/performance.md)",
        ["figure", *names, "target", "met (" + " / ".join(names) + ")"],
        [[name, *cells, target, met] for name, cells, target, met in table],
    )
    for db, r in results.items():
        if "error" in r:
            ctx.out.say(f"{db}: {r['error']}", style="yellow")
    failed = [db for db, r in results.items() if "error" in r and (db != "PostgreSQL" or args.postgres_url)]
    missed = run.missed(results)
    for db, name in missed:
        ctx.out.say(f"{db}: missed the target {run.TARGETS[name][0]} ({name})", style="yellow")
    if args.write_docs:
        run.write_docs(args.write_docs, table, names, command=" ".join(["gentling bench run", *options]))
        ctx.out.say(f"Wrote the table into {args.write_docs}.")
    if failed or (args.check and missed):
        return 1
    return 0
