"""`gentling animal add | list | show | edit | move`."""

from __future__ import annotations

from datetime import date
from typing import get_args

from ..domain import vocab
from ..domain.arrivals import AirSpace
from ..domain.validation import parse_age, parse_date


def add_commands(sub, common) -> None:
    animal = sub.add_parser("animal", help="add, list, show or edit animals")
    asub = animal.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = asub.add_parser(
        "add",
        parents=[common],
        help="add an animal",
        description="Add a rat or mouse. Example: gentling animal add Whiskers --species rat --source rescue",
    )
    add.add_argument("name")
    _detail_options(add, adding=True)
    add.add_argument(
        "--air-space",
        choices=list(get_args(AirSpace)),
        help="where a newcomer spends its quarantine (default another_room)",
    )
    add.add_argument(
        "--protocol",
        metavar="REF",
        help="the protocol it follows: ladder (the default), a lab protocol or your own (gentling protocol list)",
    )
    add.set_defaults(handler=cmd_add)

    lst = asub.add_parser("list", parents=[common], help="list the household's animals")
    lst.add_argument("--all", action="store_true", help="include adopted and passed-away animals")
    lst.set_defaults(handler=cmd_list)

    show = asub.add_parser("show", parents=[common], help="show one animal")
    show.add_argument("animal", help="name or id")
    show.set_defaults(handler=cmd_show)

    edit = asub.add_parser("edit", parents=[common], help="change an animal's details")
    edit.add_argument("animal", help="name or id")
    edit.add_argument("--name", dest="new_name", help="a new name")
    _detail_options(edit, adding=False)
    edit.add_argument("--status", choices=list(vocab.STATUSES))
    edit.add_argument("--clear-birth-date", action="store_true", help="forget the birth date")
    edit.set_defaults(handler=cmd_edit)

    move = asub.add_parser(
        "move",
        parents=[common],
        help="move an animal to another protocol (owners)",
        description="Move an animal to another protocol or version. Example: gentling animal move Tick "
        "--to rat-tickling. It keeps its place (the same step, or the same point) unless --restart.",
    )
    move.add_argument("animal", help="name or id")
    move.add_argument("--to", required=True, metavar="REF", help="ladder, a lab protocol or your own")
    move.add_argument("--restart", action="store_true", help="start at its first handling step")
    move.set_defaults(handler=cmd_move)


def _detail_options(p, adding: bool) -> None:
    p.add_argument("--species", required=adding, choices=list(vocab.SPECIES), help="rat or mouse")
    p.add_argument(
        "--source", required=adding, metavar="SOURCE", help=f"where it came from: {', '.join(vocab.SOURCES)}"
    )
    p.add_argument("--sex", metavar="SEX", help="female, male or unknown")
    p.add_argument("--arrived", metavar="DATE", help="arrival date, YYYY-MM-DD (default: today)")
    born = p.add_mutually_exclusive_group()
    born.add_argument("--born", metavar="DATE", help="birth date, YYYY-MM-DD")
    born.add_argument("--age", metavar="AGE", help="estimated age today, e.g. 10w, 4m, 1y")
    p.add_argument("--cage", metavar="NAME", help="the cage it lives in (moves into an occupied cage are guarded)")
    p.add_argument(
        "--override-reason",
        metavar="TEXT",
        default="",
        help="owners only: why a refused cage move should happen anyway (recorded)",
    )
    p.add_argument("--neutered-on", metavar="DATE", help="males: the date of neutering")
    p.add_argument("--notes", help="anything worth remembering (favourite treats, ...)")
    opt = p.add_mutually_exclusive_group()
    opt.add_argument(
        "--extended-hold-opt-in",
        dest="opt_in",
        action="store_const",
        const=True,
        help="offer the optional, contested 20-minute extended hold after basic trust",
    )
    opt.add_argument(
        "--no-extended-hold",
        dest="opt_in",
        action="store_const",
        const=False,
        help="do not offer the extended hold (the default)",
    )


def _details(args, today: date):
    from ..services.animals import AnimalDetails

    d = AnimalDetails(
        name=getattr(args, "new_name", None) if hasattr(args, "new_name") else args.name,
        species=args.species,
        sex=args.sex,
        source=args.source,
        cage=args.cage,
        notes=args.notes,
        status=getattr(args, "status", None),
        extended_hold_opt_in=args.opt_in,
        clear_birth_date=getattr(args, "clear_birth_date", False),
        air_space=getattr(args, "air_space", None),
        override_reason=args.override_reason,
        protocol=getattr(args, "protocol", None),
    )
    if args.neutered_on:
        d.neutered_on = parse_date(args.neutered_on, "neutered_on", today, "Neutering date")
    if args.arrived:
        d.arrival_date = parse_date(args.arrived, "arrival_date", today, "Arrival date")
    if args.born:
        d.birth_date = parse_date(args.born, "birth_date", today, "Birth date")
    elif args.age:
        d.birth_date, d.birth_date_estimated = parse_age(args.age, today), True
    return d


def cmd_add(args, ctx) -> int:
    from ..services.animals import add_animal
    from ..services.households import household_for
    from ..services.progress import local_today

    household = household_for(ctx.keeper, args.household, write=True)
    today = local_today(household, ctx.now)
    animal, alerts = add_animal(keeper=ctx.keeper, household=household, details=_details(args, today), today=today)
    return _show(ctx, animal, today, alerts=alerts, heading=f"Added {animal.name}.")


def cmd_edit(args, ctx) -> int:
    from ..services.animals import edit_animal
    from ..services.households import animal_for, household_for
    from ..services.progress import local_today

    household = household_for(ctx.keeper, args.household, write=True)
    today = local_today(household, ctx.now)
    animal = animal_for(ctx.keeper, household, args.animal, write=True)
    animal, alerts = edit_animal(keeper=ctx.keeper, animal=animal, details=_details(args, today), today=today)
    return _show(ctx, animal, today, alerts=alerts, heading=f"Saved {animal.name}.")


def cmd_move(args, ctx) -> int:
    from ..services.households import animal_for, household_for
    from ..services.protocols import move_animal

    household = household_for(ctx.keeper, args.household, write=True)
    animal = animal_for(ctx.keeper, household, args.animal, write=True)
    how = "restarted" if args.restart else "mapped"
    m = move_animal(keeper=ctx.keeper, household=household, animal=animal, to=args.to, how=how, now=ctx.now)
    if ctx.out.json_mode:
        ctx.out.json(
            {
                "animal": animal.public_id,
                "from_title": m.from_title,
                "from_step": m.from_step,
                "to_title": m.to_title,
                "to_step": m.to_step,
                "how": m.how,
            }
        )
        return 0
    ctx.out.say(
        f"Moved {animal.name} from {m.from_title} ({m.from_step}) to {m.to_title} ({m.to_step}), {m.how}.",
        style="bold green",
    )
    return 0


def cmd_list(args, ctx) -> int:
    from ..models import Animal
    from ..services import selectors, shapes
    from ..services.households import household_for
    from ..services.progress import local_today

    household = household_for(ctx.keeper, args.household)
    today = local_today(household, ctx.now)
    animals = list(selectors.animals_listed(household, status=None if args.all else Animal.Status.ACTIVE))
    rows = shapes.animals_out(animals, today)
    if ctx.out.json_mode:
        ctx.out.json({"household": household.name, "animals": [r.model_dump(mode="json") for r in rows]})
        return 0
    if not rows:
        ctx.out.say(
            f"No animals in {household.name} yet. Add one: gentling animal add NAME --species rat --source pet_store"
        )
        return 0
    ctx.out.table(
        f"{household.name}: {len(rows)} animal(s)",
        ["Name", "Species", "Source", "Day", "Step", "Cage", "Status", "Id"],
        [
            [r.name, r.species_label, r.source_label, r.day_number, r.step_title, r.cage or "-", r.status_label, r.id]
            for r in rows
        ],
    )
    return 0


def cmd_show(args, ctx) -> int:
    from ..services.households import animal_for, household_for
    from ..services.progress import local_today

    household = household_for(ctx.keeper, args.household)
    today = local_today(household, ctx.now)
    return _show(ctx, animal_for(ctx.keeper, household, args.animal), today)


def _age(days: int | None) -> str | None:
    if days is None:
        return None
    if days < 7 * 10:
        return f"{days // 7} weeks"
    if days < 365 * 2:
        return f"{days // 30} months"
    return f"{days // 365} years"


def _show(ctx, animal, today: date, alerts: list | None = None, heading: str | None = None) -> int:
    from ..services import shapes

    data = shapes.animal_saved(animal, today, alerts or [])
    if ctx.out.json_mode:
        ctx.out.json(data.model_dump(mode="json"))
        return 0
    out = ctx.out
    if heading:
        out.say(heading, style="bold green")
    age = _age((today - animal.birth_date).days if animal.birth_date else None)
    est = " (estimated)" if data.birth_date_estimated else ""
    out.table(
        None,
        ["", animal.name],
        [
            ["Species", data.species_label],
            ["Sex", vocab.SEXES[animal.sex]],
            ["Age", f"{age}{est}" if age else "not known"],
            ["Came from", data.source_label],
            ["Arrived", f"{data.arrival_date.isoformat()} (day {data.day_number})"],
            ["Cage", data.cage or "-"],
            ["Status", data.status_label],
            ["Protocol", f"{data.protocol_title} ({data.protocol}, version {data.protocol_version})"],
            ["Step", data.step_title],
            ["Extended hold", "offered (opted in)" if animal.extended_hold_opt_in else "not offered"],
            ["Notes", animal.notes or "-"],
            ["Id", animal.public_id],
        ],
    )
    out.alerts([a.model_dump() for a in data.alerts])
    out.say(f"Today's plan: gentling today    Progress: gentling progress {animal.name}", style="dim")
    return 0
