"""The adoption / handover report: one animal's story, for the keeper who takes it home.

`handover_report` gathers everything with reads only: the profile and photo,
the ladder and its evidence, what the animal likes (treats quoted from the
notes, the activities its sessions show comfort in), the four progress charts,
its quarantine and introductions, and first-days advice from its protocol.
`report_html` renders it for the web page, the PDF and the command line alike;
`report_pdf` hands that HTML to WeasyPrint, imported only when a PDF is asked
for, so the app runs on machines without Pango.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.template.loader import render_to_string

from .. import charts
from ..domain import engine, vocab
from ..domain.alert_summary import and_list
from ..domain.arrivals import IntroductionProgress, QuarantineStatus, arrivals_protocol
from ..domain.errors import GentlingError, InvalidInput
from ..domain.ladder import Rung, ladder
from ..domain.protocol import Step, StepKind
from ..models import Animal, Introduction, Quarantine
from .arrivals import introduction_of, quarantine_of
from .progress import facts, local_today, protocol_for, records

PAPERS = {"a4": "A4", "letter": "Letter"}

# Good training treats (domain.md section 7), each with the words a keeper writes for it.
TREATS: dict[str, tuple[str, ...]] = {
    "peas": ("pea", "peas"),
    "blueberries": ("blueberry", "blueberries"),
    "banana": ("banana", "bananas"),
    "yoghurt": ("yoghurt", "yoghurts", "yogurt", "yogurts"),
    "baby food": ("baby food",),
    "soft food from a spoon": ("soft food",),  # the spoon-fed dab that suits fearful or bitey rats
    "cereal": ("cereal", "cereals"),
    "oats": ("oat", "oats", "porridge"),
    "sunflower seeds": ("sunflower seed", "sunflower seeds"),
    "pasta": ("pasta",),
    "egg": ("egg", "eggs"),
}
_TREAT_WORDS = {
    name: re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b", re.I)
    for name, words in TREATS.items()
}
# A clause that says the animal turned a food down is not a favourite.
_DISLIKE = re.compile(
    r"\b(?:not|never|refuses?|refused|hates?|dislikes?|ignores?|ignored|spat|won't|doesn't|didn't|"
    r"don't|isn't)\b|n't\b",
    re.I,
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSES = re.compile(r"[,;:]|\bbut\b", re.I)
# Never offered to a new keeper as something the animal "responds to": a tail lift is never for pets,
# and the extended hold is contested and opt-in only.
_NOT_RECOMMENDED = {"tail_lift", "extended_hold"}
SOURCE_WORDS = {
    "breeder": "from a breeder",
    "pet_store": "from a pet store",
    "rescue": "a rescue",
    "born_at_home": "born at home",
    "unknown": "",
}
ACTIVITIES_SHOWN = 4
TREATS_SHOWN = 6
QUOTES_SHOWN = 4


class PdfUnavailable(GentlingError):
    def __init__(self, detail: str):
        super().__init__(
            "Making a PDF needs WeasyPrint's system libraries (Pango, HarfBuzz), which this machine lacks "
            f"({detail}). Install them (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0), "
            "or open the HTML report and use your browser's Print command to save it as a PDF.",
            "pdf",
        )


# --- what the report holds -------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    text: str
    day: date | None  # None: the animal's own notes


@dataclass(frozen=True)
class Treat:
    name: str
    mentions: int  # sentences in the notes that say it is liked


@dataclass(frozen=True)
class Treats:
    favourites: tuple[Treat, ...]  # most mentioned first
    quotes: tuple[Quote, ...]  # the sentences that name them, each once, in the notes' order


@dataclass(frozen=True)
class ActivityResponse:
    activity: str
    label: str
    sessions: int
    comfort_sessions: int
    fear_sessions: int
    signs: tuple[str, ...]  # the comfort signs seen most with it, as labels

    @property
    def comfort_percent(self) -> int:
        return round(100 * self.comfort_sessions / self.sessions)


@dataclass(frozen=True)
class Chart:
    name: str
    svg: str


@dataclass(frozen=True)
class CheckLine:
    day: date
    signs: tuple[str, ...]
    illness: bool
    notes: str


@dataclass(frozen=True)
class QuarantineRecord:
    status: QuarantineStatus
    air_space_label: str
    checks: int
    all_well: int
    noted: tuple[CheckLine, ...]  # the checks with a sign or a note


@dataclass(frozen=True)
class MeetingLine:
    day: date
    minutes: int
    behaviours: str
    danger: bool
    notes: str


@dataclass(frozen=True)
class IntroductionRecord:
    role: str  # newcomer or resident
    others: tuple[str, ...]
    started_on: date
    cage: str | None
    progress: IntroductionProgress
    stages: tuple[tuple[str, str], ...]  # (title, passed/current/ahead)
    meetings: tuple[MeetingLine, ...]
    outcome: str

    @property
    def with_whom(self) -> str:
        return and_list(list(self.others))


@dataclass(frozen=True)
class Advice:
    settling: Step
    talk_daily: str
    current: Step
    quarantine_daily: tuple[str, ...]  # while quarantine still runs


@dataclass(frozen=True)
class Report:
    animal: Animal
    made_on: date
    age: str | None
    subtitle: str  # "Male rat, about 6 months old · a rescue"
    photo_uri: str | None
    progress: engine.Progress
    ladder: tuple[Rung, ...]
    history: tuple[tuple[engine.StepChange, str, str], ...]  # (change, step title, why it went back)
    sessions: int
    treats: Treats
    activities: tuple[ActivityResponse, ...]
    charts: tuple[Chart, ...]
    quarantine: QuarantineRecord | None
    introductions: tuple[IntroductionRecord, ...]
    advice: Advice


def handover_report(animal: Animal, now: datetime) -> Report:
    """Everything the handover report shows, as of the household's local `now`. Reads only."""
    today = local_today(animal.household, now)
    protocol = protocol_for(animal)
    recs = records(animal, today)
    prog = engine.progress(protocol, facts(animal), recs, today)
    titles = {s.id: s.title for s in protocol.steps}
    sessions = list(animal.sessions.filter(day__lte=today).order_by("started_at", "public_id"))
    notes = [Quote(animal.notes, None)] + [Quote(s.notes, s.day) for s in sessions if s.notes.strip()]
    q = quarantine_of(animal, today)
    age = age_text(animal.birth_date, today, animal.birth_date_estimated) if animal.birth_date else None
    return Report(
        animal=animal,
        made_on=today,
        age=age,
        subtitle=subtitle(animal.sex, animal.species, age, animal.source),
        photo_uri=_photo_uri(animal),
        progress=prog,
        ladder=ladder(protocol.steps, prog.step_index, extended_hold_opt_in=animal.extended_hold_opt_in),
        history=tuple((h, titles[h.to_step], _setback(h)) for h in prog.history),
        sessions=len(sessions),
        treats=favourite_treats(notes),
        activities=activities_liked((s.activities, s.observations) for s in sessions),
        charts=tuple(_charts(animal, recs, prog, today)),
        quarantine=_quarantine(animal, q, today),
        introductions=tuple(_introductions(animal, today)),
        advice=Advice(
            settling=next(s for s in protocol.steps if s.kind is StepKind.SETTLING),
            talk_daily=next((d.text for d in protocol.daily if d.activity == "talked"), "Talk to them every day"),
            current=protocol.steps[prog.step_index],
            quarantine_daily=tuple(d.text for d in arrivals_protocol().quarantine.daily) if q and not q.done else (),
        ),
    )


# --- plain helpers (no database) -------------------------------------------------


def age_text(birth: date, today: date, estimated: bool = False) -> str | None:
    days = (today - birth).days
    if days < 0:
        return None
    if days < 14:
        text = f"{days} day{'' if days == 1 else 's'}"
    elif days < 10 * 7:
        text = f"{days // 7} weeks"
    elif days < 2 * 365:
        text = f"{days // 30} months"
    else:
        years, months = divmod(days // 30, 12)
        text = f"{years} years" + (f" {months} months" if months else "")
    return f"about {text}" if estimated else text


def subtitle(sex: str, species: str, age: str | None, source: str) -> str:
    who = " ".join(w for w in (sex if sex in ("male", "female") else "", species) if w).capitalize()
    first = f"{who}, {age} old" if age else who
    return " · ".join(part for part in (first, SOURCE_WORDS.get(source, "")) if part)


def favourite_treats(notes: Iterable[Quote]) -> Treats:
    """The good training treats the notes mention as liked, most mentioned first, and the sentences that say so."""
    mentions: Counter[str] = Counter()
    quotes: list[Quote] = []
    for note in notes:
        for sentence in (s.strip() for s in _SENTENCES.split(note.text or "") if s.strip()):
            liked = [
                name
                for name, pattern in _TREAT_WORDS.items()
                if any(pattern.search(c) and not _DISLIKE.search(c) for c in _CLAUSES.split(sentence))
            ]
            mentions.update(liked)
            if liked:
                quotes.append(Quote(sentence, note.day))
    ranked = mentions.most_common(TREATS_SHOWN)  # ties keep the order first mentioned
    return Treats(tuple(Treat(name, n) for name, n in ranked), tuple(quotes[:QUOTES_SHOWN]))


def activities_liked(sessions: Iterable[tuple[list[str], list[str]]]) -> tuple[ActivityResponse, ...]:
    """The activities whose sessions most often showed a comfort sign (at least two sessions each).

    Activities always done together (a pick-up and its reward) are one row: their numbers are the same.
    """
    seen: dict[str, list[int]] = {}
    observed: list[set[str]] = []
    for i, (activities, observations) in enumerate(sessions):
        observed.append(set(observations))
        for a in sorted(set(activities) - _NOT_RECOMMENDED, key=_activity_order):
            seen.setdefault(a, []).append(i)
    together: dict[tuple[int, ...], list[str]] = {}
    for a, indexes in seen.items():
        together.setdefault(tuple(indexes), []).append(a)
    rows = []
    for found, names in together.items():
        happy = [observed[i] & vocab.COMFORT_SIGNS for i in found]
        comfort = sum(1 for h in happy if h)
        if len(found) < 2 or not comfort:
            continue
        signs = Counter(o for h in happy for o in h).most_common(2)
        rows.append(
            ActivityResponse(
                names[0],
                " · ".join(vocab.ACTIVITIES[a].label if a in vocab.ACTIVITIES else a for a in names),
                len(found),
                comfort,
                sum(1 for i in found if observed[i] & vocab.FEAR_SIGNS),
                tuple(vocab.OBSERVATIONS[o].label for o, _ in signs),
            )
        )
    rows.sort(key=lambda r: (-r.comfort_sessions / r.sessions, -r.comfort_sessions, r.label))
    return tuple(rows[:ACTIVITIES_SHOWN])


def _activity_order(name: str) -> int:
    order = list(vocab.ACTIVITIES)
    return order.index(name) if name in order else len(order)


# --- gathering -------------------------------------------------------------------


def _photo_uri(animal: Animal) -> str | None:
    photo = getattr(animal, "photo", None)
    if photo is None:
        return None
    return f"data:{photo.content_type};base64,{base64.b64encode(bytes(photo.data)).decode('ascii')}"


def _charts(animal: Animal, recs, prog: engine.Progress, today: date) -> Iterable[Chart]:
    protocol = protocol_for(animal)
    days = engine.timeline(protocol, facts(animal), recs, today)
    yield Chart("holds", charts.hold_chart(charts.hold_series(recs, days)))
    handled = [r for r in recs if r.is_session]  # health checks are records too, but not sessions
    yield Chart("sessions", charts.sessions_chart(charts.sessions_per_day(handled, animal.arrival_date, today)))
    yield Chart("signs", charts.signs_chart(charts.signs_per_day(recs, animal.arrival_date, today)))
    yield Chart("steps", charts.steps_chart(charts.time_at_steps(protocol, prog.history, today)))


def _setback(change: engine.StepChange) -> str:
    """What sent the animal back, without the engine's prefix and date (the report shows the day beside it)."""
    if change.direction != "back":
        return ""
    reason = change.reason.removeprefix("Setback: ")
    return re.sub(rf" on {change.day.isoformat()}$", "", reason)


def _labels(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(vocab.OBSERVATIONS[n].label if n in vocab.OBSERVATIONS else n for n in names)


def _quarantine(animal: Animal, status: QuarantineStatus | None, today: date) -> QuarantineRecord | None:
    if status is None:
        return None
    checks = list(animal.health_checks.filter(day__gte=status.started_on, day__lte=today))
    noted = tuple(
        CheckLine(c.day, _labels(c.signs), bool(set(c.signs) & vocab.HEALTH_SIGNS), c.notes)
        for c in checks
        if c.signs or c.notes.strip()
    )
    return QuarantineRecord(
        status, dict(Quarantine.AIR_SPACES)[status.air_space], len(checks), sum(1 for c in checks if not c.signs), noted
    )


def _introductions(animal: Animal, today: date) -> Iterable[IntroductionRecord]:
    p = arrivals_protocol()
    behaviours = {**p.behaviours.normal, **p.behaviours.danger}
    intros = Introduction.objects.filter(newcomers=animal) | Introduction.objects.filter(residents=animal)
    for intro in intros.distinct().select_related("cage").prefetch_related("newcomers", "residents", "meetings"):
        newcomers, residents = list(intro.newcomers.all()), list(intro.residents.all())
        role = "newcomer" if any(a.pk == animal.pk for a in newcomers) else "resident"
        others = tuple(a.name for a in newcomers + residents if a.pk != animal.pk)
        prog = introduction_of(intro, today)
        stages = tuple(
            (s.title, "current" if i == prog.stage_index else ("passed" if i < prog.stage_index else "ahead"))
            for i, s in enumerate(p.introduction.stages)
        )
        meetings = tuple(
            MeetingLine(
                m.day,
                round(m.duration_seconds / 60),
                ", ".join(behaviours.get(b, b) for b in m.behaviours),
                bool(set(m.behaviours) & set(p.behaviours.danger)),
                m.notes,
            )
            for m in intro.meetings.all()
            if m.day <= today
        )
        yield IntroductionRecord(
            role,
            others,
            intro.started_on,
            intro.cage.name if intro.cage else None,
            prog,
            stages,
            meetings,
            _outcome(intro, prog, animal),
        )


def _outcome(intro: Introduction, prog: IntroductionProgress, animal: Animal) -> str:
    if intro.finished_on:
        return f"Finished on {_day(intro.finished_on)}."
    if prog.at_move_in:
        if intro.cage is not None and animal.cage_id == intro.cage_id:  # the cage is selected with the intro
            return f"Introduced: lives in {intro.cage.name} with them."
        return "Ready to move in together."
    if prog.waiting_for_quarantine_until:
        return f"Waiting for quarantine to end on {_day(prog.waiting_for_quarantine_until)}."
    danger = f" Last danger sign on {_day(prog.last_danger.day)}: separated." if prog.last_danger else ""
    return f"Under way, at '{prog.stage_title}'.{danger}"


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


# --- rendering --------------------------------------------------------------------


def check_paper(paper: str | None) -> str:
    key = (paper or "a4").strip().lower()
    if key not in PAPERS:
        raise InvalidInput("paper", f"Unknown paper size '{paper}'. Choose a4 or letter.")
    return key


def report_html(
    report: Report, *, paper: str = "a4", links: dict[str, str] | None = None, notice: str | None = None
) -> str:
    """The report as one standalone HTML page (inline CSS, charts and photo), ready to print.

    `links` are the screen-only "Print / Save as PDF" links (left out of the PDF itself).
    """
    return render_to_string(
        "gentling/report.html",
        {
            "r": report,
            "a": report.animal,
            "paper": PAPERS[check_paper(paper)],
            "links": links or {},
            "notice": notice,
        },
    )


@dataclass(frozen=True)
class Pdf:
    data: bytes
    pages: int


def report_pdf(html: str, *, base_url: str | None = None) -> Pdf:
    try:
        import weasyprint  # lazily: it loads Pango through cffi, which may be missing
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    document = weasyprint.HTML(string=html, base_url=base_url).render()
    return Pdf(document.write_pdf(), len(document.pages))
