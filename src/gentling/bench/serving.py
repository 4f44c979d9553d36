"""Benchmark item 7: other keepers' latency while idle and slow clients hold connections.

The default `gentling serve` (one process, the layout phones reach directly)
answers the same GET from 4 connections, first with nothing else going on,
then while 50 idle connections and 10 clients sending a body at 10 bytes a
second are held open (bench/hostile.py). The figure is the ratio of the two
p99s; the issue's goal is at most 2.
"""

from __future__ import annotations

from .. import clock
from ..models import ApiToken, Household
from ..services.api_tokens import create_token
from . import api_load
from .hostile import answer_times, hostile_clients
from .timing import Figures

HOST = "127.0.0.1"


def measure_slow_clients(household: Household, *, requests: int = 100) -> dict:
    owner = api_load.owner_of(household)
    token, raw = create_token(keeper=owner, name="bench slow clients", now=clock.now())
    reads = "/api/v1/households"  # a cheap read: the figure is the server's, not the page's
    writes = f"/api/v1/households/{household.public_id}/sessions"
    port = api_load.free_port()
    try:
        with api_load.running_server(api_load.server_environment(owner.username), port, workers=1):
            answer_times(HOST, port, reads, token=raw, requests=5)  # warm up
            quiet, quiet_failed = answer_times(HOST, port, reads, token=raw, requests=requests)
            with hostile_clients(HOST, port, path=writes, token=raw) as held:
                busy, busy_failed = answer_times(HOST, port, reads, token=raw, requests=requests)
    finally:
        ApiToken.objects.filter(pk=token.pk).delete()
    quiet_figures, busy_figures = Figures.of(quiet), Figures.of(busy)
    return {
        "quiet": quiet_figures.to_dict(),
        "held": busy_figures.to_dict(),
        "idle": len(held.idle),
        "slow": len(held.slow),
        "refused": held.refused,
        "failed": len(quiet_failed) + len(busy_failed),
        "p99_ratio": round(busy_figures.p99_ms / quiet_figures.p99_ms, 2),
    }
