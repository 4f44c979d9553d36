"""`gentling cage`, `gentling quarantine`, `gentling intro` and `gentling litter`."""

from __future__ import annotations

from ..domain.validation import parse_date, parse_duration, parse_moment
from .sessions import _csv


def add_commands(sub, common) -> None:
    cage = sub.add_parser("cage", help="cages: who lives where, and guarded moves")
    csub = cage.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = csub.add_parser("list", parents=[common], help="cages and who lives in them")
    p.set_defaults(handler=cmd_cage_list)
    p = csub.add_parser("show", parents=[common], help="a cage's history of who lived there when")
    p.add_argument("cage")
    p.set_defaults(handler=cmd_cage_show)
    p = csub.add_parser("move", parents=[common], help="move an animal into a cage (guarded), or out with --out")
    p.add_argument("animal")
    p.add_argument("cage", nargs="?", default="")
    p.add_argument("--out", action="store_true", help="take the animal out of its cage")
    p.add_argument(
        "--override-reason",
        default="",
        metavar="TEXT",
        help="owners only: why a refused move should happen anyway (recorded)",
    )
    p.set_defaults(handler=cmd_cage_move)

    q = sub.add_parser("quarantine", help="quarantine of new arrivals and daily health checks")
    qsub = q.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = qsub.add_parser("list", parents=[common], help="animals in quarantine and the days left")
    p.set_defaults(handler=cmd_quarantine_list)
    p = qsub.add_parser("check", parents=[common], help="record a daily health check")
    p.add_argument("animal")
    p.add_argument(
        "--signs",
        action="append",
        metavar="SIGNS",
        help="signs seen, comma-separated (sneezing, red_tears, ...); none means all well",
    )
    p.add_argument("--date", metavar="DATE", help="the day of the check (default today)")
    p.add_argument("--notes", default="")
    p.set_defaults(handler=cmd_quarantine_check)

    i = sub.add_parser("intro", help="staged introductions of newcomers to residents")
    isub = i.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = isub.add_parser("start", parents=[common], help="start an introduction")
    p.add_argument("--newcomers", required=True, action="append", metavar="NAMES")
    p.add_argument("--residents", required=True, action="append", metavar="NAMES")
    p.add_argument("--cage", help="the cage they will share")
    p.set_defaults(handler=cmd_intro_start)
    p = isub.add_parser("list", parents=[common], help="introductions under way")
    p.set_defaults(handler=cmd_intro_list)
    p = isub.add_parser("meet", parents=[common], help="log a meeting on neutral ground")
    p.add_argument("intro", help="the introduction's id")
    p.add_argument("--at", default="now", metavar="WHEN")
    p.add_argument("--length", required=True, metavar="DURATION", help="e.g. 20m")
    p.add_argument(
        "--saw",
        action="append",
        metavar="BEHAVIOURS",
        help="behaviours seen, comma-separated (sniffing, pinning, ..., blood); see `gentling vocab`",
    )
    p.add_argument("--notes", default="")
    p.set_defaults(handler=cmd_intro_meet)
    p = isub.add_parser("cleaned", parents=[common], help="record that the shared cage was washed and rearranged")
    p.add_argument("intro")
    p.add_argument("--date", metavar="DATE")
    p.set_defaults(handler=cmd_intro_cleaned)

    lt = sub.add_parser("litter", help="litters born at home")
    lsub = lt.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = lsub.add_parser("add", parents=[common], help="record a litter")
    p.add_argument("name")
    p.add_argument("--species", required=True, choices=["rat", "mouse"])
    p.add_argument("--born", required=True, metavar="DATE")
    p.add_argument("--mother", metavar="ANIMAL")
    p.add_argument("--notes", default="")
    p.set_defaults(handler=cmd_litter_add)
    p = lsub.add_parser("list", parents=[common], help="litters and what they need")
    p.set_defaults(handler=cmd_litter_list)
    p = lsub.add_parser("separated", parents=[common], help="record that the sexes were separated")
    p.add_argument("litter")
    p.add_argument("--date", metavar="DATE")
    p.set_defaults(handler=cmd_litter_separated)


def _household(ctx, args, write=False):
    from ..services.households import household_for
    from ..services.progress import local_today

    household = household_for(ctx.keeper, args.household, write=write)
    return household, local_today(household, ctx.now)


def cmd_cage_list(args, ctx) -> int:
    from ..services.arrivals import cages_with_residents
    from ..services.shapes import cage_out

    household, _ = _household(ctx, args)
    rows = [cage_out(c) for c in cages_with_residents(household)]
    if ctx.out.json_mode:
        ctx.out.json({"cages": [r.model_dump(mode="json") for r in rows]})
    else:
        ctx.out.table(
            f"Cages of {household.name}",
            ["Cage", "Animals"],
            [[r.name, ", ".join(a.name for a in r.animals) or "(empty)"] for r in rows],
        )
    return 0


def cmd_cage_show(args, ctx) -> int:
    from ..domain.errors import NotFound
    from ..services import selectors

    household, _ = _household(ctx, args)
    cage = selectors.cage_named(household, args.cage)
    if cage is None:
        raise NotFound(f"No cage '{args.cage}' in {household.name}. `gentling cage list` shows them.")
    stays = selectors.stays_in(cage)
    rows = [
        {
            "animal": s.animal.public_id,
            "animal_name": s.animal.name,
            "moved_in_on": s.moved_in_on.isoformat(),
            "moved_out_on": s.moved_out_on.isoformat() if s.moved_out_on else None,
            "override_reason": s.override_reason,
            "overridden": s.overridden,
        }
        for s in stays
    ]
    if ctx.out.json_mode:
        ctx.out.json({"cage": cage.name, "stays": rows})
    else:
        ctx.out.table(
            f"Who lived in {cage.name}",
            ["Animal", "Moved in", "Moved out", "Override"],
            [[r["animal_name"], r["moved_in_on"], r["moved_out_on"] or "-", r["override_reason"] or "-"] for r in rows],
        )
    return 0


def cmd_cage_move(args, ctx) -> int:
    from ..domain.errors import InvalidInput
    from ..services.arrivals import move_animal
    from ..services.households import animal_for
    from ..services.shapes import moved_out

    household, today = _household(ctx, args, write=True)
    animal = animal_for(ctx.keeper, household, args.animal, write=True)
    if not args.out and not args.cage:
        raise InvalidInput("cage", "Name the cage to move into, or use --out.")
    move = move_animal(
        keeper=ctx.keeper,
        animal=animal,
        cage_name="" if args.out else args.cage,
        day=today,
        override_reason=args.override_reason,
    )
    alerts = [a.to_dict() for a in move.alerts]
    if ctx.out.json_mode:
        ctx.out.json(moved_out(animal, move).model_dump(mode="json"))
    else:
        where = f"into {move.cage.name}" if move.cage else "out of its cage"
        ctx.out.say(f"Moved {animal.name} {where}.", style="bold green")
        ctx.out.alerts(alerts)
    return 0


def cmd_quarantine_list(args, ctx) -> int:
    from ..services.arrivals import in_quarantine
    from ..services.shapes import quarantine_out

    household, today = _household(ctx, args)
    rows = [quarantine_out(animal, q) for animal, q in in_quarantine(household, today)]
    if ctx.out.json_mode:
        ctx.out.json({"quarantines": [r.model_dump(mode="json") for r in rows]})
    elif not rows:
        ctx.out.say("Nobody is in quarantine.")
    else:
        ctx.out.table(
            "In quarantine",
            ["Animal", "Since", "Until", "Days left", "Air space", "Last illness sign"],
            [
                [
                    r.animal_name,
                    r.started_on.isoformat(),
                    r.ends_on.isoformat(),
                    r.days_left,
                    r.air_space,
                    r.last_sign_on.isoformat() if r.last_sign_on else "-",
                ]
                for r in rows
            ],
        )
    return 0


def cmd_quarantine_check(args, ctx) -> int:
    from ..domain.guardrails import VET_ADVICE
    from ..services.arrivals import quarantine_of, record_health_check
    from ..services.households import animal_for
    from ..services.shapes import health_check_out

    household, today = _household(ctx, args, write=True)
    animal = animal_for(ctx.keeper, household, args.animal, write=True)
    day = parse_date(args.date, "date", today) if args.date else today
    check = record_health_check(
        keeper=ctx.keeper, animal=animal, day=day, signs=_csv(args.signs), notes=args.notes, now=ctx.now
    )
    q = quarantine_of(animal, today)
    if ctx.out.json_mode:
        ctx.out.json(health_check_out(animal, check, q).model_dump(mode="json"))
        return 0
    ctx.out.say(f"Health check saved for {animal.name}: {', '.join(check.signs) or 'all well'}.", style="bold green")
    if check.signs:
        ctx.out.say(f"  {VET_ADVICE}", style="bold red")
    if q is not None:
        ctx.out.say(f"  Quarantine until {q.ends_on.isoformat()} ({q.days_left} day(s) left).")
    return 0


def _animals(ctx, household, values):
    from ..services.households import animal_for

    return [animal_for(ctx.keeper, household, name, write=True) for name in _csv(values)]


def cmd_intro_start(args, ctx) -> int:
    from ..services.arrivals import start_introduction
    from ..services.shapes import introduction_detail

    household, today = _household(ctx, args, write=True)
    intro = start_introduction(
        keeper=ctx.keeper,
        household=household,
        newcomers=_animals(ctx, household, args.newcomers),
        residents=_animals(ctx, household, args.residents),
        cage_name=args.cage,
        day=today,
    )
    if ctx.out.json_mode:
        ctx.out.json(introduction_detail(intro, today).model_dump(mode="json"))
    else:
        ctx.out.say(f"Introduction started (id {intro.public_id}). See it in `gentling today`.", style="bold green")
    return 0


def cmd_intro_list(args, ctx) -> int:
    from ..services.arrivals import active_introductions
    from ..services.shapes import introductions_out

    household, today = _household(ctx, args)
    rows = introductions_out(list(active_introductions(household)), today)
    if ctx.out.json_mode:
        ctx.out.json({"introductions": [r.model_dump(mode="json") for r in rows]})
    elif not rows:
        ctx.out.say("No introductions under way. Start one: gentling intro start --newcomers A --residents B")
    else:
        ctx.out.table(
            "Introductions",
            ["Id", "Newcomers", "Residents", "Stage"],
            [
                [r.id, ", ".join(a.name for a in r.newcomers), ", ".join(a.name for a in r.residents), r.stage_title]
                for r in rows
            ],
        )
    return 0


def cmd_intro_meet(args, ctx) -> int:
    from ..services.arrivals import introduction_by_id, log_meeting
    from ..services.progress import local_time

    household, _ = _household(ctx, args, write=True)
    intro = introduction_by_id(keeper=ctx.keeper, household=household, public_id=args.intro, write=True)
    start = parse_moment(args.at, "started_at", local_time(household, ctx.now))
    length = parse_duration(args.length, "duration", "Length", default_unit="m")
    logged = log_meeting(
        keeper=ctx.keeper,
        intro=intro,
        started_at=start,
        duration_seconds=length,
        behaviours=_csv(args.saw),
        notes=args.notes,
        now=ctx.now,
    )
    alerts = [a.to_dict() for a in logged.alerts]
    if ctx.out.json_mode:
        ctx.out.json({"id": logged.meeting.public_id, "stage": logged.progress.stage_id, "alerts": alerts})
    else:
        ctx.out.say(f"Meeting saved ({length // 60} min). Stage: {logged.progress.stage_title}.", style="bold green")
        ctx.out.alerts(alerts)
    return 0


def cmd_intro_cleaned(args, ctx) -> int:
    from ..services.arrivals import introduction_by_id, mark_cage_cleaned

    household, today = _household(ctx, args, write=True)
    intro = introduction_by_id(keeper=ctx.keeper, household=household, public_id=args.intro, write=True)
    day = parse_date(args.date, "date", today) if args.date else today
    mark_cage_cleaned(keeper=ctx.keeper, intro=intro, day=day, today=today)
    if ctx.out.json_mode:
        ctx.out.json({"id": intro.public_id, "cage_cleaned_on": day.isoformat()})
    else:
        ctx.out.say(f"Recorded: the shared cage was cleaned on {day.isoformat()}.", style="bold green")
    return 0


def cmd_litter_add(args, ctx) -> int:
    from ..services.households import animal_for
    from ..services.litters import add_litter

    household, today = _household(ctx, args, write=True)
    mother = animal_for(ctx.keeper, household, args.mother) if args.mother else None
    litter = add_litter(
        keeper=ctx.keeper,
        household=household,
        name=args.name,
        species=args.species,
        birth_date=parse_date(args.born, "birth_date", today, "Birth date"),
        today=today,
        mother=mother,
        notes=args.notes,
    )
    if ctx.out.json_mode:
        ctx.out.json({"id": litter.public_id, "name": litter.name})
    else:
        ctx.out.say(f"Litter '{litter.name}' recorded. Its daily items appear in `gentling today`.", style="bold green")
    return 0


def cmd_litter_list(args, ctx) -> int:
    from ..domain.litters import litter_advice
    from ..services import selectors

    household, today = _household(ctx, args)
    rows = []
    for lt in selectors.litters_of(household):
        advice = litter_advice(lt.species, lt.birth_date, today, lt.separated_on)
        rows.append(
            {
                "id": lt.public_id,
                "name": lt.name,
                "species": lt.species,
                "born": lt.birth_date.isoformat(),
                "age_days": advice.age_days,
                "separate_by": advice.separate_by.isoformat(),
                "separated_on": lt.separated_on.isoformat() if lt.separated_on else None,
                "alert": advice.alert,
            }
        )
    if ctx.out.json_mode:
        ctx.out.json({"litters": rows})
    else:
        ctx.out.table(
            "Litters",
            ["Name", "Species", "Born", "Age (days)", "Separate by", "Separated"],
            [
                [r["name"], r["species"], r["born"], r["age_days"], r["separate_by"], r["separated_on"] or "-"]
                for r in rows
            ],
        )
    return 0


def cmd_litter_separated(args, ctx) -> int:
    from ..services.litters import litter_for, mark_separated

    household, today = _household(ctx, args, write=True)
    litter = litter_for(keeper=ctx.keeper, household=household, ref=args.litter, write=True)
    day = parse_date(args.date, "date", today) if args.date else today
    mark_separated(keeper=ctx.keeper, litter=litter, day=day, today=today)
    if ctx.out.json_mode:
        ctx.out.json({"id": litter.public_id, "separated_on": day.isoformat()})
    else:
        ctx.out.say(f"Recorded: {litter.name}'s sexes separated on {day.isoformat()}.", style="bold green")
    return 0
