"""Display helpers only: the keeper's words for vocabulary names and durations."""

from django import template

from ..domain import vocab

register = template.Library()


@register.filter
def activity_label(name: str) -> str:
    term = vocab.ACTIVITIES.get(name)
    return term.label if term else _lab_label(name)


@register.filter
def observation_label(name: str) -> str:
    term = vocab.OBSERVATIONS.get(name)
    return term.label if term else _lab_label(name)


def _lab_label(name: str) -> str:
    """A lab protocol's own word, in its label (a household protocol's words show as their names)."""
    from ..domain.protocol import LAB, lab_protocol

    labels = (lab_protocol(p).label_of(name) for p in LAB)
    return next((label for label in labels if label != name), name)


@register.filter
def get(mapping, key):
    """`{{ values|get:name }}`: a dict's value by a key held in a variable ("" if none)."""
    return (mapping or {}).get(key, "")


@register.filter
def duration(seconds) -> str:
    seconds = int(seconds or 0)
    minutes, secs = divmod(seconds, 60)
    if minutes and secs:
        return f"{minutes} min {secs} s"
    return f"{minutes} min" if minutes else f"{secs} s"


@register.filter
def behaviour_labels(names) -> str:
    from ..domain.arrivals import arrivals_protocol

    b = arrivals_protocol().behaviours
    known = {**b.normal, **b.danger}
    return ", ".join(known.get(n, n) for n in names)
