"""Guide pages: each step in plain words, from the protocol file's "why"."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from ...domain import vocab
from ...domain.plan import times_word
from ...domain.protocol import shipped_protocol


def guide_index(request):
    return render(
        request,
        "gentling/guide_index.html",
        {"protocols": [(s, shipped_protocol(s)) for s in vocab.SPECIES], "nav": "guide"},
    )


def guide(request, species):
    if species not in vocab.SPECIES:
        raise Http404("No guide for that species")
    protocol = shipped_protocol(species)
    return render(
        request,
        "gentling/guide.html",
        {
            "protocol": protocol,
            "species": species,
            "nav": "guide",
            "sources": [(vocab.SOURCES[k], m) for k, m in protocol.sources.items()],
        },
    )


def guide_step(request, species, step_id):
    if species not in vocab.SPECIES:
        raise Http404("No guide for that species")
    protocol = shipped_protocol(species)
    try:
        index = protocol.index_of(step_id)
    except KeyError:
        raise Http404("No such step") from None
    step = protocol.steps[index]
    start = step.holds.start_seconds if step.holds else None
    todo = [item.text.format(times=times_word(item.times_per_day), hold_seconds=start) for item in step.plan]
    return render(
        request,
        "gentling/guide_step.html",
        {
            "protocol": protocol,
            "species": species,
            "step": step,
            "number": index + 1,
            "nav": "guide",
            "todo": todo,
            "previous": protocol.steps[index - 1] if index else None,
            "next": protocol.steps[index + 1] if index + 1 < len(protocol.steps) else None,
        },
    )
