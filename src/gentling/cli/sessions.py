"""`gentling log`, `gentling today` and `gentling progress`."""

from __future__ import annotations

from datetime import timedelta

from ..domain import vocab
from ..domain.errors import InvalidInput
from ..domain.validation import SessionInput, parse_date, parse_duration, parse_moment
from .protocols import bouts_text, measure_text


def _csv(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def add_commands(sub, common) -> None:
    log = sub.add_parser(
        "log",
        parents=[common],
        help="record a session, now or backdated",
        description="Record a session. Example: gentling log Whiskers --did talked,treat_in_cage --saw took_treat "
        "--length 10m. Names of activities and observations: gentling vocab.",
    )
    log.add_argument("animals", nargs="+", metavar="ANIMAL", help="one or more animals handled together")
    log.add_argument("--at", default="now", metavar="WHEN", help="start: now (default), 18:30, or 2026-11-20 18:30")
    log.add_argument("--length", default="10m", metavar="DURATION", help="how long: 90s, 10m, 1h5m (default 10m)")
    log.add_argument(
        "--did", action="append", metavar="ACTIVITIES", help="activities, comma-separated: talked,treat_in_cage,..."
    )
    log.add_argument(
        "--holds", action="append", metavar="SECONDS", help="seconds of each pick-up, comma-separated: 2,3,2"
    )
    log.add_argument(
        "--saw", action="append", metavar="OBSERVATIONS", help="what you saw, comma-separated: took_treat,fled,..."
    )
    log.add_argument("--extended-hold", metavar="DURATION", help="length of an extended hold, e.g. 25m")
    log.add_argument(
        "--extended-hold-end", metavar="ENDING", help=f"how it ended: {', '.join(vocab.EXTENDED_HOLD_ENDINGS)}"
    )
    log.add_argument(
        "--measure",
        action="append",
        metavar="NAME=VALUE",
        help="a number the animal's protocol records, e.g. calls_50khz=40 (repeat for each; "
        "gentling protocol show REF lists them)",
    )
    log.add_argument("--notes", help="notes, up to 2000 characters")
    log.set_defaults(handler=cmd_log)

    today = sub.add_parser("today", parents=[common], help="what to do today with each animal")
    today.add_argument("--date", metavar="DATE", help="another day, YYYY-MM-DD")
    today.set_defaults(handler=cmd_today)

    prog = sub.add_parser("progress", parents=[common], help="an animal's step, evidence, history and next milestone")
    prog.add_argument("animal", help="name or id")
    prog.add_argument("--date", metavar="DATE", help="as of another day, YYYY-MM-DD")
    prog.set_defaults(handler=cmd_progress)


def _measures(pairs: list[str] | None) -> dict[str, str]:
    """NAME=VALUE pairs as typed; the service checks the names and numbers against the protocol."""
    measures: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InvalidInput("measures", f"--measure '{pair}': write NAME=VALUE, e.g. --measure calls_50khz=40.")
        measures[name.strip()] = value.strip()
    return measures


def _entry(args, local_now) -> SessionInput:
    start = parse_moment(args.at, "started_at", local_now)
    length = parse_duration(args.length, "length", "Length", default_unit="m")
    holds = [parse_duration(h, "holds", "Hold") for h in _csv(args.holds)]
    ext = None
    if args.extended_hold:
        ext = parse_duration(args.extended_hold, "extended_hold_seconds", "Extended hold", default_unit="m")
    return SessionInput(
        started_at=start,
        ended_at=start + timedelta(seconds=length),
        activities=_csv(args.did),
        holds=holds,
        observations=_csv(args.saw),
        extended_hold_seconds=ext,
        extended_hold_end=args.extended_hold_end,
        notes=args.notes or "",
        measures=_measures(args.measure),
    )


def cmd_log(args, ctx) -> int:
    from ..domain.alert_summary import merge
    from ..services.households import animal_for, household_for
    from ..services.progress import local_time, protocol_for
    from ..services.sessions import log_session
    from ..services.shapes import LoggedSessions, logged_out

    household = household_for(ctx.keeper, args.household, write=True)
    animals = [animal_for(ctx.keeper, household, ref, write=True) for ref in args.animals]
    entry = _entry(args, local_time(household, ctx.now))
    logged = log_session(keeper=ctx.keeper, household=household, animals=animals, entry=entry, now=ctx.now)
    if ctx.out.json_mode:
        ctx.out.json(LoggedSessions(sessions=[logged_out(item) for item in logged]).model_dump(mode="json"))
        return 0
    for item in logged:
        s = item.session
        ctx.out.say(
            f"Saved: {item.animal.name}, {s.day.isoformat()}, {s.duration_seconds // 60} min "
            f"{s.duration_seconds % 60} s.",
            style="bold green",
        )
        if item.moved:
            step = protocol_for(item.animal).steps[protocol_for(item.animal).index_of(item.step_after)]
            word = "Moved up to" if item.moved == "up" else "Back a step, to"
            ctx.out.say(f"  {word}: {step.title}", style="bold" if item.moved == "up" else "yellow")
    # Each warning once, for every animal it is about, as the web app says it.
    shared = merge((item.animal.name, item.alerts) for item in logged)
    ctx.out.alerts([{"level": a.level, "message": a.text} for a in shared])
    return 0


def cmd_today(args, ctx) -> int:
    from ..services.households import household_for
    from ..services.progress import local_today
    from ..services.today import today_dict, today_for_household

    household = household_for(ctx.keeper, args.household)
    today = local_today(household, ctx.now)
    day = parse_date(args.date, "date", today) if args.date else today
    t = today_for_household(household, day, today=today)
    if ctx.out.json_mode:
        ctx.out.json(today_dict(household, t))
        return 0
    out = ctx.out
    when = "Today" if day == today else day.strftime("%A")
    out.say(f"{when}, {day:%d %B %Y}: {household.name}", style="bold")
    if not t.animals:
        out.say("No active animals yet. Add one: gentling animal add NAME --species rat --source pet_store")
    for p in t.animals:
        _say_animal(out, p, t.quarantines.get(p.animal.pk))
    for it in t.introductions:
        out.say("")
        out.say(
            f"Introduction: {', '.join(it.newcomers)} to {', '.join(it.residents)}: {it.progress.stage_title}",
            style="bold magenta",
        )
        if it.progress.waiting_for_quarantine_until:
            out.say(f"  Waits for the end of quarantine on {it.progress.waiting_for_quarantine_until.isoformat()}.")
        else:
            out.say(f"  {it.summary}")
            if it.progress.meetings_needed:
                out.say(
                    f"  Good meetings: {it.progress.good_meetings} of {it.progress.meetings_needed}; "
                    f"next meeting about {it.progress.next_meeting_seconds // 60} min."
                )
    for lt in t.litters:
        out.say("")
        out.say(f"Litter {lt.litter.name}, {lt.advice.age_days} days old", style="bold")
        for item in lt.advice.items:
            out.say(f"  [ ] {item}")
        if lt.advice.alert:
            out.say(f"  ! {lt.advice.alert}", style="bold red" if lt.advice.alert_level == "stop" else "yellow")
    return 0


def _say_animal(out, p, quarantine) -> None:
    from ..services.progress import protocol_for

    plan = p.plan
    cage = f", {p.animal.cage.name}" if p.animal.cage else ""
    out.say("")
    out.say(
        f"{p.animal.name} ({vocab.SPECIES[p.animal.species].lower()}{cage}), day {plan.day_number}: {plan.step_title}",
        style="bold cyan",
    )
    out.say(f"  {plan.step_summary}")
    for notice in plan.notices:
        out.say(f"  ! {notice}", style="yellow")
    if quarantine:
        q = quarantine.status
        out.say(f"  Quarantine: {q.days_left} day(s) left, until {q.ends_on.isoformat()}.", style="magenta")
        if not q.air_space_ok:
            out.say(f"  ! {q.air_space_note}", style="yellow")
        for care in quarantine.care:
            out.say(f"  [ ] {care}")
    for task in plan.tasks:
        mark = "[x]" if task.is_done else "[ ]"
        done = f"  ({task.done_today} of {task.times_per_day} done)" if task.times_per_day > 1 else ""
        out.say(f"  {mark} {task.text}{done}", style="green" if task.is_done else None)
    protocol = protocol_for(p.animal)
    step = protocol.steps[protocol.index_of(plan.step_id)]
    if step.bouts:
        out.say(f"  Bouts: {bouts_text(step.bouts)}")
    for name in step.measures:
        out.say(f"  Record {measure_text(protocol.measure_specs[name])}", style="dim")
    if plan.avoid:
        out.say("  Avoid: " + "; ".join(plan.avoid), style="dim")


def cmd_progress(args, ctx) -> int:
    from ..services.households import animal_for, household_for
    from ..services.progress import local_today, progress_of

    household = household_for(ctx.keeper, args.household)
    today = local_today(household, ctx.now)
    day = parse_date(args.date, "date", today) if args.date else today
    animal = animal_for(ctx.keeper, household, args.animal)
    prog = progress_of(animal, day)
    if ctx.out.json_mode:
        ctx.out.json({"animal": animal.name, "animal_id": animal.public_id, **prog.to_dict()})
        return 0
    out = ctx.out
    out.say(
        f"{animal.name}: {prog.step_title} (since {prog.entered_on.isoformat()}, day {prog.day_number} at home)",
        style="bold",
    )
    if prog.paused_since:
        out.say(
            f"  Paused for health since {prog.paused_since.isoformat()}. Gentling is a coach, not a vet: "
            "see an exotics vet; record 'health cleared' when well.",
            style="bold red",
        )
    if prog.hold_target_seconds:
        out.say(f"  Today's hold target: {prog.hold_target_seconds} s")
    if prog.evidence:
        out.say("  Evidence for moving up: " + "; ".join(prog.evidence.for_moving))
        if prog.evidence.against_moving:
            out.say("  Against: " + "; ".join(prog.evidence.against_moving), style="yellow")
    m = prog.next_milestone
    if m:
        when = f"expected around {m.expected_date.isoformat()}" if m.expected_date else "no date yet"
        out.say(f"  Next: {m.title}, {when} (needs {m.needs})")
    else:
        out.say("  Top of the ladder: keep up the daily handling.")
    out.table(
        "History",
        ["Date", "Change", "Step", "Why"],
        [
            [
                h.day.isoformat(),
                {"start": "start", "up": "up", "back": "back"}[h.direction],
                _title(animal, h.to_step),
                h.reason,
            ]
            for h in prog.history
        ],
    )
    out.say(f"  {prog.sessions_counted} session(s) logged up to {day.isoformat()}.", style="dim")
    return 0


def _title(animal, step_id: str) -> str:
    from ..services.progress import protocol_for

    p = protocol_for(animal)
    return p.steps[p.index_of(step_id)].title
