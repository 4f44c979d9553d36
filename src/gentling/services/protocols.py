"""Which protocol an animal follows: the ladders, the shipped lab protocols and a household's own.

A household protocol is a TOML file an owner uploads (web, CLI or API). It is checked in
full before anything is stored; an error names the file, line, step and field. Each upload
of an id is a new version with a higher `version` number; the old versions stay, because
an animal follows one version and its sessions keep the version they were logged under.

Moving an animal to another protocol (or another version) is recorded. Its place is either
mapped (the step with the same id, or the one at the same point of the ladder) or restarted
(the first handling step). From the move on, only sessions logged under the new protocol
count for its progress; the earlier ones stay in its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from ..domain.errors import InvalidInput, NotAllowed, NotFound
from ..domain.protocol import LAB, SHIPPED, Protocol, ProtocolError, StepKind, lab_protocol, load_protocol_text
from ..domain.protocol import shipped_protocol as ladder
from ..models import Animal, Household, HouseholdProtocol, ProtocolMove
from .households import check_member, is_owner
from .progress import household_protocol, local_today, progress_of, protocol_for, records_changed

PROTOCOL_TEXT_MAX = 64 * 1024
LADDER = "ladder"  # how every interface names "the handling ladder of the animal's species"
HOW = ("mapped", "restarted")


@dataclass(frozen=True)
class Choice:
    """A protocol an animal of the household can follow."""

    ref: str  # what the interfaces send: "ladder", a lab id, or a household protocol's id
    protocol: Protocol
    kind: str  # "ladder", "lab" or "household"
    row: HouseholdProtocol | None = None


def shipped_ids() -> set[str]:
    return {ladder(s).id for s in SHIPPED} | set(LAB)


def choices(household: Household, species: str | None = None) -> list[Choice]:
    """Every protocol the household can use (household ones at their latest version), for `species` if given."""
    found = [Choice(LADDER, ladder(s), "ladder") for s in SHIPPED if species in (None, s)]
    found += [Choice(pid, lab_protocol(pid), "lab") for pid in LAB]
    found += [household_choice(row) for row in latest_versions(household)]
    return [c for c in found if species is None or species in c.protocol.species]


def household_choice(row: HouseholdProtocol) -> Choice:
    return Choice(row.protocol_id, household_protocol(row.pk), "household", row)


def latest_versions(household: Household) -> list[HouseholdProtocol]:
    latest: dict[str, HouseholdProtocol] = {}
    for row in HouseholdProtocol.objects.filter(household=household).defer("text"):
        latest[row.protocol_id] = row  # ordered by id, then version
    return list(latest.values())


def versions_of(household: Household) -> list[HouseholdProtocol]:
    return list(HouseholdProtocol.objects.filter(household=household).defer("text"))


def protocol_text(data: bytes, file: str) -> str:
    """An uploaded protocol file's text (web and CLI), refused plainly if too big or not UTF-8."""
    if len(data) > PROTOCOL_TEXT_MAX:
        raise InvalidInput("file", f"{file}: the file is over {PROTOCOL_TEXT_MAX // 1024} KB; a protocol is smaller.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("file", f"{file}: not UTF-8 text; save it as UTF-8 and try again.") from None


def check_protocol_text(text: str, file: str) -> Protocol:
    """The protocol in `text`, fully checked; InvalidInput naming file, line, step and field if not."""
    if len(text.encode("utf-8", "surrogatepass")) > PROTOCOL_TEXT_MAX:
        raise InvalidInput("file", f"{file}: the file is over {PROTOCOL_TEXT_MAX // 1024} KB; a protocol is smaller.")
    try:
        return load_protocol_text(text, file)
    except ProtocolError as exc:
        raise InvalidInput("file", str(exc)) from None


@transaction.atomic
def add_protocol(*, keeper, household: Household, text: str, file: str, now: datetime) -> HouseholdProtocol:
    """Store a household protocol (owners only): a new id, or a new version of one."""
    if not is_owner(keeper, household):
        raise NotAllowed("Only an owner of the household can add protocols.")
    protocol = check_protocol_text(text, file)
    if protocol.id in shipped_ids():
        raise InvalidInput(
            "file",
            f"{file}: '{protocol.id}' is a protocol Gentling ships; give yours another id (e.g. my-{protocol.id}).",
        )
    latest = (
        HouseholdProtocol.objects.select_for_update()
        .filter(household=household, protocol_id=protocol.id)
        .order_by("-version")
        .first()
    )
    if latest is not None and protocol.version <= latest.version:
        raise InvalidInput(
            "file",
            f"{file}: version {protocol.version} of '{protocol.id}' is not newer than the stored version "
            f"{latest.version}; set version = {latest.version + 1} for a new version.",
        )
    return HouseholdProtocol.objects.create(
        household=household,
        protocol_id=protocol.id,
        version=protocol.version,
        title=protocol.title,
        text=text,
        uploaded_by=keeper,
        uploaded_at=now,
    )


def protocol_choice(household: Household, ref: str, species: str) -> Choice:
    """The protocol `ref` names for an animal of `species` (a household id means its latest version)."""
    ref = (ref or "").strip().lower()
    mine = choices(household, species)
    for choice in mine:
        if choice.ref == ref:
            return choice
    for choice in choices(household):
        if choice.ref == ref:
            raise InvalidInput(
                "protocol", f"'{choice.protocol.title}' is for {', '.join(choice.protocol.species)}, not {species}."
            )
    known = ", ".join(c.ref for c in mine)
    raise NotFound(f"No protocol '{ref[:64]}' for a {species}. The protocols are: {known}.")


def protocol_ref(animal: Animal) -> str:
    return animal.protocol or LADDER


@dataclass(frozen=True)
class Move:
    animal: Animal
    from_title: str
    from_step: str
    to_title: str
    to_step: str
    how: str


def target_step(old: Protocol, old_step: str, new: Protocol, how: str) -> str:
    """Where an animal at `old_step` of `old` starts on `new`.

    Restarted: the first handling step (settling in stays settling in). Mapped: the step with
    the same id, else the one at the same point of the ladder; never the optional extended hold."""
    old_index = old.index_of(old_step)
    if old.steps[old_index].kind is StepKind.SETTLING:
        return new.steps[0].id
    if how == "restarted":
        return new.steps[new.first_handling_index].id
    if any(s.id == old_step for s in new.steps):
        index = new.index_of(old_step)
    else:
        share = old_index / (len(old.steps) - 1)
        index = round(share * (len(new.steps) - 1))
    index = max(index, new.first_handling_index)
    while new.steps[index].kind is StepKind.EXTENDED_HOLD:
        index -= 1
    return new.steps[index].id


@transaction.atomic
def move_animal(*, keeper, household: Household, animal: Animal, to: str, how: str, now: datetime) -> Move:
    """Move an animal to another protocol (owners only), as the owner chose: mapped or restarted."""
    check_member(keeper, household, write=True)
    if not is_owner(keeper, household):
        raise NotAllowed("Only an owner of the household can move an animal to another protocol.")
    if animal.household_id != household.pk:
        raise NotFound(f"No animal '{animal.name}' in {household.name}.")
    if how not in HOW:
        raise InvalidInput("how", f"Unknown way '{how}': choose mapped (keep its place) or restarted.")
    choice = protocol_choice(household, to, animal.species)
    old = protocol_for(animal)
    if choice.protocol is old or (choice.row is not None and choice.row.pk == animal.household_protocol_id):
        raise InvalidInput("protocol", f"{animal.name} already follows {old.title} (version {old.version}).")
    today = local_today(household, now)
    from_step = progress_of(animal, today).step_id
    to_step = target_step(old, from_step, choice.protocol, how)
    ProtocolMove.objects.create(
        animal=animal,
        moved_at=now,
        from_protocol=animal.protocol,
        from_version=old.version,
        from_step=from_step,
        to_protocol="" if choice.kind == "ladder" else choice.ref,
        to_version=choice.protocol.version,
        to_step=to_step,
        how=how,
        moved_by=keeper,
    )
    animal.protocol = "" if choice.kind == "ladder" else choice.ref
    animal.household_protocol = choice.row
    animal.protocol_since, animal.protocol_start_step = today, to_step
    animal.save(update_fields=["protocol", "household_protocol", "protocol_since", "protocol_start_step"])
    records_changed(animal, animal.arrival_date)
    return Move(animal, old.title, from_step, choice.protocol.title, to_step, how)


def moves_of(animal: Animal) -> list[ProtocolMove]:
    return list(ProtocolMove.objects.filter(animal=animal))
