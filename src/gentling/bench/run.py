"""`gentling bench run`: every figure of the benchmark, on SQLite and on PostgreSQL.

For each database the measuring happens in a child process (`gentling bench
measure`) whose environment points at that database, because Django settles
its database once per process. The SQLite data lives in its own folder (the
benchmark never touches your own Gentling data); PostgreSQL needs a URL to a
database the benchmark may fill (`--postgres-url`, or GENTLING_BENCH_POSTGRES_URL).
Missing data is generated first with the fixed seed, and reused after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# (figure, target, the way the figure is read): the targets on a 2-core machine
TARGETS = {
    "plan_http": ("< 150 ms", lambda r: r["plan_http"]["median_ms"] < 150),
    "history_ratio": ("<= 1.2", lambda r: history_ratio(r) <= 1.2),
    "first_today": ("<= 1.3x a later Today", lambda r: first_today_ratio(r) <= 1.3),
    "api_throughput": (">= 300 sessions/s (median)", lambda r: r["api"]["sessions_per_second"] >= 300),
    "api_errors": ("0", lambda r: api_errors(r) == 0),
    "api_p99": ("< 50 ms at 100/s", lambda r: r["api"]["p99_ms_at_rate"] < 50),
    "animal_page": ("<= 1.5x the HTML page", lambda r: chart_ratio(r) <= 1.5),
    "animal_page_cold": ("< 300 ms", lambda r: r["animal_page_with_charts_cold_http"]["median_ms"] < 300),
    "slow_clients": (
        "p99 <= 2x quiet",
        lambda r: r["slow_clients"]["p99_ratio"] <= 2 and not r["slow_clients"]["failed"],
    ),
    "outside_lock": (
        "Today max < 1 s",
        lambda r: r["outside_lock"]["today_max_ms"] < 1000 and not r["outside_lock"]["today_failed"],
    ),
    "calendar_feed": ("< 200 ms after the first", lambda r: r["calendar"]["cached_http"]["median_ms"] < 200),
    "cli_today": ("< 1 s", lambda r: r["cli_today"]["median_ms"] < 1000),
    "import_memory": ("< 500 MB", lambda r: r["backup"]["import"]["peak_mb"] < 500),
}


@dataclass(frozen=True)
class Target:
    name: str
    env: dict[str, str]
    import_env: dict[str, str]


def chart_ratio(result: dict) -> float:
    """The animal page with its four charts (cache warm) over the HTML page alone."""
    return result["animal_page_with_charts_http"]["median_ms"] / result["animal_page_http"]["median_ms"]


def first_today_ratio(result: dict) -> float:
    """The first Today page of a day in a fresh process over a later one."""
    return result["plan_first_http"]["median_ms"] / result["plan_http"]["median_ms"]


def history_ratio(result: dict) -> float:
    return result["plan_service"]["median_ms"] / result["plan_small_service"]["median_ms"]


def targets(data_dir: Path, postgres_url: str | None) -> list[Target]:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GENTLING_HOME")}
    found = [
        Target(
            "SQLite",
            {**base, "GENTLING_HOME": str(data_dir / "sqlite")},
            {"GENTLING_HOME": str(data_dir / "sqlite-import")},
        )
    ]
    if postgres_url:
        found.append(
            Target(
                "PostgreSQL",
                {**base, "DATABASE_URL": postgres_url},
                {"DATABASE_URL": _sibling_database(postgres_url, "_import")},
            )
        )
    return found


def _sibling_database(url: str, suffix: str) -> str:
    head, _, name = url.rpartition("/")
    name, _, query = name.partition("?")
    return f"{head}/{name}{suffix}" + (f"?{query}" if query else "")


def ensure_postgres_database(url: str) -> str | None:
    """Create the benchmark's PostgreSQL database if it is missing; a reason if the server cannot be reached."""
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    login = {
        k: v
        for k, v in {
            "host": db.get("HOST"),
            "port": db.get("PORT"),
            "user": db.get("USER"),
            "password": db.get("PASSWORD"),
        }.items()
        if v
    }
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **login) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
                conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    except psycopg.Error as exc:
        return f"cannot reach PostgreSQL at {url}: {str(exc).strip()}"
    return None


def run_child(target: Target, options: list[str]) -> dict:
    command = [
        sys.executable,
        "-c",
        "from gentling.cli.main import run; run()",
        "bench",
        "measure",
        "--json",
        "--import-env",
        json.dumps(target.import_env),
        *options,
    ]
    done = subprocess.run(command, env=target.env, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        return {"error": f"measuring on {target.name} failed (exit {done.returncode}); see the messages above"}
    return json.loads(done.stdout)


def rows(results: dict[str, dict]) -> list[tuple[str, list[str], str, str]]:
    """The printed table: (figure, one cell per database, target, met or missed per database)."""

    def cell(result: dict, read) -> str:
        try:
            return read(result)
        except (KeyError, TypeError, ZeroDivisionError):
            return "-"

    def n(value: float) -> str:
        return f"{value:.1f}" if value < 10 else f"{value:.0f}"

    def ms(key):
        return lambda r: f"{n(r[key]['median_ms'])} / {n(r[key]['p95_ms'])} ms"

    def per_second(clients: str):
        def read(r):
            f = r["api"]["by_clients"][clients]
            return f"{f['median_rps']:.0f}/s ({f['min_rps']:.0f}-{f['max_rps']:.0f}, {f['phases']} phases)"

        return read

    lines = [
        ("1 plan, service", ms("plan_service"), ""),
        ("1 plan, HTTP page", ms("plan_http"), "plan_http"),
        ("1 plan, HTTP page, first of the day", ms("plan_first_http"), ""),
        ("1 first / later Today", lambda r: f"{first_today_ratio(r):.2f}x", "first_today"),
        ("1 plan, HTTP API JSON", ms("plan_api_http"), ""),
        ("1 raw SQL, same data", ms("plan_raw_sql"), ""),
        (
            "1 service / raw SQL",
            lambda r: f"{r['plan_service']['median_ms'] / r['plan_raw_sql']['median_ms']:.1f}x",
            "",
        ),
        ("1 rebuild, no checkpoints", lambda r: f"{r['plan_rebuild_seconds']:.1f} s (1 run)", ""),
        ("2 plan 1% history, service", ms("plan_small_service"), ""),
        ("2 plan 1% history, HTTP", ms("plan_small_http"), ""),
        ("2 full / 1% history", lambda r: f"{history_ratio(r):.2f}", "history_ratio"),
        ("3 API logging, 1 client", per_second("1"), ""),
        ("3 API logging, 8 clients", per_second("8"), "api_throughput"),
        ("3 API logging, 32 clients", per_second("32"), ""),
        ("3 API errors, all loads", lambda r: str(api_errors(r)), "api_errors"),
        ("3 p99 at 100 req/s", lambda r: f"{r['api']['p99_ms_at_rate']:.1f} ms", "api_p99"),
        (
            "7 p99, 50 idle + 10 slow held",
            lambda r: f"{n(r['slow_clients']['held']['p99_ms'])} ms, {r['slow_clients']['p99_ratio']:.2f}x quiet",
            "slow_clients",
        ),
        (
            "7 Today, write lock held outside",
            lambda r: f"{n(r['outside_lock']['today']['median_ms'])} ms, max {n(r['outside_lock']['today_max_ms'])} ms",
            "outside_lock",
        ),
        ("4 animal page HTML", ms("animal_page_http"), ""),
        ("4 page + 4 charts, cached", ms("animal_page_with_charts_http"), ""),
        ("4 page+charts / page", lambda r: f"{chart_ratio(r):.2f}x", "animal_page"),
        ("4 page + 4 charts, drawn", ms("animal_page_with_charts_cold_http"), "animal_page_cold"),
        ("4 raw SQL, same data", ms("animal_raw_sql"), ""),
        (
            "4 page+charts / raw SQL",
            lambda r: f"{r['animal_page_with_charts_http']['median_ms'] / r['animal_raw_sql']['median_ms']:.0f}x",
            "",
        ),
        ("5 gentling today", ms("cli_today"), "cli_today"),
        ("8 calendar feed, first fetch", lambda r: f"{n(r['calendar']['first_fetch_ms'])} ms (1 run)", ""),
        ("8 calendar feed, cached", lambda r: ms("cached_http")(r["calendar"]), "calendar_feed"),
        (
            "6 export",
            lambda r: f"{r['backup']['export']['seconds']:.0f} s, {r['backup']['export']['peak_mb']:.0f} MB",
            "",
        ),
        (
            "6 import",
            lambda r: f"{r['backup']['import']['seconds']:.0f} s, {r['backup']['import']['peak_mb']:.0f} MB",
            "import_memory",
        ),
    ]
    met = {db: verdicts(r) for db, r in results.items()}

    def said(key: str) -> str:
        if not key:
            return ""
        return " / ".join({True: "met", False: "MISSED", None: "-"}[met[db].get(key)] for db in results)

    return [
        (name, [cell(r, read) for r in results.values()], TARGETS[key][0] if key else "", said(key))
        for name, read, key in lines
    ]


def missed(results: dict[str, dict]) -> list[tuple[str, str]]:
    """(database, target) for each target a measured figure missed."""
    return [(db, name) for db, r in results.items() for name, ok in verdicts(r).items() if ok is False]


def api_errors(result: dict) -> int:
    """Every failed request of the API loads (a 5xx, a refusal, a timeout)."""
    api = result["api"]
    phased = sum(n for f in api["by_clients"].values() for n in f["errors"].values())
    return phased + sum(api["rate"]["errors"].values())


def verdicts(result: dict) -> dict[str, bool | None]:
    """Each target met (True), missed (False) or not measured (None)."""
    found = {}
    for name, (_, met) in TARGETS.items():
        try:
            found[name] = bool(met(result))
        except (KeyError, TypeError, ZeroDivisionError):
            found[name] = None
    return found


DOCS_START, DOCS_END = "<!-- bench run: start -->", "<!-- bench run: end -->"


def write_docs(path: Path, table: list[tuple[str, list[str], str, str]], names: list[str], *, command: str) -> None:
    """Put the table, as Markdown, between the file's bench markers (added at its end if missing)."""
    cell = lambda text: str(text).replace("|", "\\|")  # noqa: E731
    lines = [
        "| figure | " + " | ".join(names) + " | target | met (" + " / ".join(names) + ") |",
        "|---" * (len(names) + 3) + "|",
        *("| " + " | ".join(cell(c) for c in (name, *cells, target, met)) + " |" for name, cells, target, met in table),
    ]
    write_section(
        path, (DOCS_START, DOCS_END), lines, command=command, title="The latest `gentling bench run`", unit=UNITS
    )


UNITS = " Median / p95 unless said."


def write_section(
    path: Path, markers: tuple[str, str], lines: list[str], *, command: str, title: str, unit: str = ""
) -> None:
    """Put `lines` between the file's `markers` (a new section titled `title` at its end if they are missing),
    after a line that says which command wrote them, when, and on what machine."""
    import platform

    from .. import clock

    start, end = markers
    block = [
        start,
        f"Written by `{command} --write-docs` on {clock.now().date().isoformat()}, on {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}).{unit}",
        "",
        *lines,
        end,
    ]
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + "\n".join(block) + tail
    else:
        text = text.rstrip("\n") + f"\n\n## {title}\n\n" + "\n".join(block) + "\n"
    path.write_text(text, encoding="utf-8")
