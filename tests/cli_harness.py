"""Driving the `gentling` command line in-process: `main([...], now=..., stdout=buf)`
as a given keeper (the GENTLING_KEEPER environment variable)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from gentling.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)

    @property
    def text(self) -> str:
        """stdout and stderr with rich's line wrapping undone, for phrase checks."""
        return " ".join((self.out + " " + self.err).split())


def cli_runner(monkeypatch, capsys, *, keeper: str, now):
    def run(*argv: str, as_: str = keeper, now=now) -> Result:
        monkeypatch.setenv("GENTLING_KEEPER", as_)
        capsys.readouterr()  # drop anything printed before this call
        buf = io.StringIO()
        code = main(list(argv), now=now, stdout=buf)
        captured = capsys.readouterr()
        return Result(code, buf.getvalue() + captured.out, captured.err)

    return run
