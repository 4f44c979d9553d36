"""`gentling protocol check | show | add | list`: the ladders, the lab protocols and a household's own."""

from __future__ import annotations

from pathlib import Path

from ..domain import vocab
from ..domain.errors import InvalidInput, NotFound


def add_commands(sub, common) -> None:
    proto = sub.add_parser("protocol", help="check, show, add or list handling protocols")
    psub = proto.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = psub.add_parser("check", parents=[common], help="validate a protocol file you wrote")
    check.add_argument("file", type=Path)
    check.set_defaults(handler=cmd_protocol_check)
    pshow = psub.add_parser("show", parents=[common], help="the steps of a protocol: a species' ladder, or a ref")
    pshow.add_argument(
        "ref", metavar="SPECIES|REF", help="rat or mouse (the ladder), a lab protocol or your household's own"
    )
    pshow.set_defaults(handler=cmd_protocol_show)
    padd = psub.add_parser("add", parents=[common], help="upload your household's own protocol (owners)")
    padd.add_argument("file", type=Path, help="the protocol's TOML file (a new id, or a higher version of one)")
    padd.set_defaults(handler=cmd_protocol_add)
    plist = psub.add_parser("list", parents=[common], help="every protocol the household's animals can follow")
    plist.set_defaults(handler=cmd_protocol_list)


def cmd_protocol_check(args, ctx) -> int:
    from ..domain.protocol import ProtocolError, load_protocol_file

    try:
        protocol = load_protocol_file(args.file)
    except ProtocolError as exc:
        if ctx.out.json_mode:
            ctx.out.json({"valid": False, "file": exc.file, "step": exc.step, "field": exc.field, "error": exc.message})
        else:
            ctx.out.error(str(exc))
        return 1
    if ctx.out.json_mode:
        ctx.out.json({"valid": True, "id": protocol.id, "steps": [s.id for s in protocol.steps]})
    else:
        ctx.out.say(
            f"{args.file}: valid. '{protocol.title}', {len(protocol.steps)} steps: "
            + " > ".join(s.id for s in protocol.steps),
            style="bold green",
        )
    return 0


def _named(args, ctx):
    """(protocol, kind) for a species (its ladder), a lab protocol's id or the household's own."""
    from ..domain.protocol import LAB, lab_protocol, shipped_protocol
    from ..services.households import household_for
    from ..services.protocols import choices

    ref = args.ref.strip().lower()
    if ref in vocab.SPECIES:
        return shipped_protocol(ref), "ladder"
    if ref in LAB:
        return lab_protocol(ref), "lab"
    shipped = ", ".join([*vocab.SPECIES, *LAB])
    try:
        household = household_for(ctx.keeper, args.household)
    except NotFound as exc:
        raise NotFound(f"No protocol '{ref[:64]}' ships with Gentling ({shipped}). {exc.message}") from None
    own = [c for c in choices(household) if c.kind == "household"]
    for choice in own:
        if choice.ref == ref:
            return choice.protocol, choice.kind
    known = ", ".join([shipped, *(c.ref for c in own)])
    raise NotFound(f"No protocol '{ref[:64]}'. The protocols are: {known} (see `gentling protocol list`).")


def _span(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds >= 60 and seconds % 60 == 0 else f"{seconds} s"


def bouts_text(b) -> str:
    """'15 s Tickle / 15 s Rest for 2 min'."""
    rest = f" / {_span(b.rest_seconds)} {b.rest_label}" if b.rest_seconds else ""
    return f"{_span(b.on_seconds)} {b.on_label}{rest} for {_span(b.total_seconds)}"


def measure_text(m) -> str:
    """'--measure calls_50khz=N: 50-kHz calls, 0 to 2000 calls'."""
    unit = f" {m.unit}" if m.unit else ""
    fear = " (above 0 is a fear sign)" if m.fear_sign else ""
    return f"--measure {m.name}=N: {m.label}, {m.min:g} to {m.max:g}{unit}{fear}"


def cmd_protocol_show(args, ctx) -> int:
    protocol, kind = _named(args, ctx)
    if ctx.out.json_mode:
        ctx.out.json(protocol.model_dump(mode="json"))
        return 0
    out = ctx.out
    out.say(protocol.title, style="bold")
    out.say(f"{protocol.id}, version {protocol.version}, {kind}, for {', '.join(protocol.species)}", style="dim")
    out.say(protocol.summary)
    words = [f"--did {a.name}: {a.label}" for a in protocol.activities]
    words += [f"--saw {o.name}: {o.label}" for o in protocol.observations]
    if words:
        out.say("")
        out.say("Its own words for `gentling log`, besides `gentling vocab`:", style="bold")
        for line in words:
            out.say(f"  {line}")
    specs = protocol.measure_specs
    for i, step in enumerate(protocol.steps, 1):
        out.say("")
        out.say(f"{i}. {step.title}", style="bold cyan")
        out.say(f"   {step.summary}")
        out.say(f"   Why: {' '.join(step.why.split())}", style="dim")
        if step.bouts:
            out.say(f"   Bouts: {bouts_text(step.bouts)}")
        if step.technique:
            out.say("   Technique: " + "; ".join(step.technique))
        for name in step.measures:
            out.say(f"   Record {measure_text(specs[name])}")
    return 0


def cmd_protocol_add(args, ctx) -> int:
    from ..services.households import household_for
    from ..services.progress import household_protocol
    from ..services.protocols import add_protocol, protocol_text

    household = household_for(ctx.keeper, args.household, write=True)
    try:
        text = protocol_text(args.file.read_bytes(), str(args.file))
    except FileNotFoundError:
        raise InvalidInput("file", f"{args.file}: no such file.") from None
    except OSError as exc:
        raise InvalidInput("file", f"{args.file}: cannot be read ({exc.strerror or exc}).") from None
    row = add_protocol(keeper=ctx.keeper, household=household, text=text, file=args.file.name, now=ctx.now)
    protocol = household_protocol(row.pk)
    if ctx.out.json_mode:
        ctx.out.json({"ref": row.protocol_id, "version": row.version, "title": row.title, "steps": len(protocol.steps)})
        return 0
    ctx.out.say(
        f"Added {row.protocol_id} version {row.version}: {row.title} ({len(protocol.steps)} steps).",
        style="bold green",
    )
    ctx.out.say(
        f"Put an animal on it: gentling animal add NAME ... --protocol {row.protocol_id}, "
        f"or gentling animal move NAME --to {row.protocol_id}",
        style="dim",
    )
    return 0


def cmd_protocol_list(args, ctx) -> int:
    from ..services.households import household_for
    from ..services.progress import household_protocol
    from ..services.protocols import choices, versions_of

    household = household_for(ctx.keeper, args.household)
    found = [(c.ref, c.protocol, c.kind) for c in choices(household) if c.kind != "household"]
    found += [(row.protocol_id, household_protocol(row.pk), "household") for row in versions_of(household)]
    rows = [
        {"ref": ref, "title": p.title, "species": list(p.species), "kind": kind, "version": p.version}
        for ref, p, kind in found
    ]
    if ctx.out.json_mode:
        ctx.out.json({"household": household.name, "protocols": rows})
        return 0
    ctx.out.table(
        f"{household.name}: protocols",
        ["Ref", "Title", "Species", "Kind", "Version"],
        [[r["ref"], r["title"], ", ".join(r["species"]), r["kind"], r["version"]] for r in rows],
    )
    ctx.out.say(
        "Details: gentling protocol show REF (a ladder: show rat or show mouse). "
        "Yours: gentling protocol add FILE (owners).",
        style="dim",
    )
    return 0
