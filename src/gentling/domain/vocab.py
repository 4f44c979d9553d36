"""The words a keeper uses to record a session, and what each means to the engine.

One list, used by the protocol validator, the engine, every interface and
`gentling vocab`. The meanings of the observations follow domain.md section 3
(body language); the health signs follow section 1 (daily health check).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Signal(str, Enum):
    """What an observation says about the animal's trust or health."""

    UP = "up"  # trust, curiosity, calm
    DOWN = "down"  # fear or stress
    NEUTRAL = "neutral"  # read with care
    HEALTH = "health"  # an illness sign: pause the program, see a vet
    CLEARED = "cleared"  # the keeper records that health is back to normal


class Role(str, Enum):
    """What an activity is to the guardrails: a protocol's own activities declare one."""

    VOICE = "voice"  # talking: not handling, fine from the first day
    TREATS = "treats"  # treats offered in the cage or from the fingers
    TOUCH = "touch"  # petting, tickling: comes after treat association
    PICKUP = "pickup"  # lifting: holds are its seconds; needs a reward after
    REWARD = "reward"  # the treat after a pick-up
    AID = "aid"  # a towel, a tunnel, cupped hands, a secure area
    OTHER = "other"  # any other handling
    NEVER = "never"  # never done to a pet (a tail lift): always a warning
    EXTENDED_HOLD = "extended_hold"  # the optional 20-minute hold (Gentling's own, not a protocol's)


@dataclass(frozen=True)
class Term:
    name: str
    label: str
    meaning: str = ""


@dataclass(frozen=True)
class Activity(Term):
    role: Role = Role.OTHER


@dataclass(frozen=True)
class Observation(Term):
    signal: Signal = Signal.NEUTRAL


ACTIVITIES: dict[str, Activity] = {
    t.name: t
    for t in [
        Activity("talked", "Talked to them", "Voice: a calm chat by the cage, every day.", Role.VOICE),
        Activity(
            "treat_in_cage",
            "Treats in the cage, hand inside",
            "Treats near them, hand resting in the cage, no petting.",
            Role.TREATS,
        ),
        Activity(
            "treat_from_fingers",
            "Treats from the fingers",
            "Treats offered closer and closer, then from the fingertips.",
            Role.TREATS,
        ),
        Activity("petted", "Petted", "Gentle strokes on the back or head.", Role.TOUCH),
        Activity("picked_up", "Picked up", "Lifted and held; record each hold's seconds.", Role.PICKUP),
        Activity("rewarded", "Rewarded after pick-up", "A treat they love straight after being put down.", Role.REWARD),
        Activity("towel_used", "Used a towel", "A towel or fleece to lift a nervous animal.", Role.AID),
        Activity(
            "secure_area", "Worked in a secure area", "Low down, in a room where a bolting animal is safe.", Role.AID
        ),
        Activity("tunnel_used", "Lifted with a tunnel", "Mice: let the mouse walk into a tunnel.", Role.AID),
        Activity("cupped_hands", "Lifted in cupped hands", "Mice: scoop in open, cupped hands.", Role.AID),
        Activity(
            "tail_lift",
            "Lifted by the tail",
            "Never for pets: causes lasting fear in mice, can strip a rat's tail skin.",
            Role.NEVER,
        ),
        Activity(
            "extended_hold",
            "Extended hold",
            "Optional: 20 minutes or more, free to move in loose clothing.",
            Role.EXTENDED_HOLD,
        ),
    ]
}

OBSERVATIONS: dict[str, Observation] = {
    o.name: o
    for o in [
        Observation("approached", "Approached or followed the hand", "Trust and curiosity.", Signal.UP),
        Observation("took_treat", "Took a treat", "Links you with treats.", Signal.UP),
        Observation("ate_from_fingers", "Ate from the fingers", "Treat association is there.", Signal.UP),
        Observation("climbed_on", "Climbed onto the hand", "Trust.", Signal.UP),
        Observation("bruxed", "Soft bruxing (tooth grinding)", "Relaxed, read in context.", Signal.UP),
        Observation("boggled", "Eye boggling", "Relaxed, often with bruxing.", Signal.UP),
        Observation("groomed_hand", "Licked or groomed the hand", "Trust.", Signal.UP),
        Observation("explored_person", "Explored you", "Curiosity and calm.", Signal.UP),
        Observation("relaxed", "Loose body, relaxed", "Calm.", Signal.UP),
        Observation("popcorned", "Popcorned or played", "Joy.", Signal.UP),
        Observation("froze", "Froze", "Fear, when it repeats.", Signal.DOWN),
        Observation("fled", "Fled", "Fear.", Signal.DOWN),
        Observation("hid", "Hid, would not come out", "Fear.", Signal.DOWN),
        Observation("squeaked", "Squeaked or squealed when touched", "Fear or pain.", Signal.DOWN),
        Observation("chattered", "Loud, crackling chattering", "Stress (not soft bruxing).", Signal.DOWN),
        Observation("puffed_fur", "Puffed-up fur", "Fear or defence: stop the session.", Signal.DOWN),
        Observation("nipped", "Nipped", "Usually fear; through the bars, often a finger taken for food.", Signal.DOWN),
        Observation("bit", "Bit", "Usually fear: go back a step and slow down.", Signal.DOWN),
        Observation("tail_rattled", "Tail rattling (mice)", "Threat or agitation.", Signal.DOWN),
        Observation(
            "tail_quivered",
            "Tail quivering while stroked",
            "Mixed feelings, often misread as pleasure.",
            Signal.NEUTRAL,
        ),
        Observation("sneezing", "Sneezing", "Mild sneezing at new smells is common; watch it.", Signal.NEUTRAL),
        Observation("red_tears", "Red tears (porphyrin) at eyes or nose", "Stress or illness.", Signal.HEALTH),
        Observation("laboured_breathing", "Rattling or laboured breathing", "Illness sign.", Signal.HEALTH),
        Observation("hunched", "Hunched, rough coat", "Illness sign.", Signal.HEALTH),
        Observation("lethargic", "Lethargic or not eating", "Illness sign.", Signal.HEALTH),
        Observation("squinting", "Squinting, eye rubbing or swollen neck", "Illness sign (SDA).", Signal.HEALTH),
        Observation("head_tilt", "Head tilt", "Illness sign.", Signal.HEALTH),
        Observation("scabs", "Scabs, sores or crusted ears", "Mites or skin trouble.", Signal.HEALTH),
        Observation(
            "health_cleared",
            "Health cleared",
            "A vet checked them, or the signs are gone: the program resumes.",
            Signal.CLEARED,
        ),
    ]
}

# How an extended hold ended. Anything but "completed" is one of the stop rules
# of domain.md section 6: return the animal to its cage and drop back a step.
EXTENDED_HOLD_ENDINGS: dict[str, str] = {
    "completed": "Completed calmly",
    "struggling": "Stopped: struggling",
    "froze": "Stopped: froze",
    "squealed": "Stopped: squealing",
    "urinated_or_defecated": "Stopped: urinated or defecated",
    "red_tears": "Stopped: new red tears",
    "bit": "Stopped: bit",
    "went_limp": "Stopped: went limp and unresponsive",
}

SPECIES = {"rat": "Rat", "mouse": "Mouse"}
SEXES = {"female": "Female", "male": "Male", "unknown": "Not known yet"}
SOURCES = {
    "breeder": "Breeder",
    "pet_store": "Pet store",
    "rescue": "Rescue",
    "unknown": "Unknown",
    "born_at_home": "Born at home",
}
STATUSES = {"active": "Active", "adopted": "Adopted", "passed_away": "Passed away"}

FEAR_SIGNS = frozenset(n for n, o in OBSERVATIONS.items() if o.signal is Signal.DOWN)
COMFORT_SIGNS = frozenset(n for n, o in OBSERVATIONS.items() if o.signal is Signal.UP)
HEALTH_SIGNS = frozenset(n for n, o in OBSERVATIONS.items() if o.signal is Signal.HEALTH)


def as_dict() -> dict:
    """The whole vocabulary as plain data, for `gentling vocab --json` and the API."""
    return {
        "activities": [
            {"name": t.name, "label": t.label, "meaning": t.meaning, "role": t.role.value} for t in ACTIVITIES.values()
        ],
        "observations": [
            {"name": o.name, "label": o.label, "meaning": o.meaning, "signal": o.signal.value}
            for o in OBSERVATIONS.values()
        ],
        "extended_hold_endings": [{"name": k, "label": v} for k, v in EXTENDED_HOLD_ENDINGS.items()],
        "species": [{"name": k, "label": v} for k, v in SPECIES.items()],
        "sexes": [{"name": k, "label": v} for k, v in SEXES.items()],
        "sources": [{"name": k, "label": v} for k, v in SOURCES.items()],
        "statuses": [{"name": k, "label": v} for k, v in STATUSES.items()],
    }
