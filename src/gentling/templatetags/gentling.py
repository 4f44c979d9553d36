"""Display helpers only: the keeper's words for vocabulary names and durations."""

from django import template

from ..domain import vocab

register = template.Library()


@register.filter
def activity_label(name: str) -> str:
    term = vocab.ACTIVITIES.get(name)
    return term.label if term else name


@register.filter
def observation_label(name: str) -> str:
    term = vocab.OBSERVATIONS.get(name)
    return term.label if term else name


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
