"""Output for people (rich tables, colour where the terminal supports it) or JSON."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

LEVEL_STYLE = {"stop": "bold red", "warning": "yellow", "caution": "cyan"}
LEVEL_WORD = {"stop": "STOP", "warning": "Warning", "caution": "Note"}


class Out:
    def __init__(self, json_mode: bool, stream=None):
        self.json_mode = json_mode
        self.stream = stream or sys.stdout
        self.console = Console(file=self.stream, highlight=False, soft_wrap=False)
        self.err = Console(file=sys.stderr, highlight=False)

    def json(self, data) -> None:
        self.stream.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")

    def say(self, text: str = "", style: str | None = None) -> None:
        if not self.console.is_terminal:
            # A pipe or a file gets the plain line, unwrapped (easy to grep), and fast: `gentling today`
            # for a rescue prints thousands of lines, and rich's layout of each took a third of its time.
            self.stream.write(text + "\n")
            return
        self.console.print(Text(text, style=style or ""))

    def table(self, title: str | None, columns: list[str], rows: list[list[str]]) -> None:
        table = Table(title=title, title_justify="left", show_lines=False, header_style="bold")
        for col in columns:
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(*[c if isinstance(c, Text) else Text(str(c)) for c in row])
        self.console.print(table)

    def alerts(self, alerts: list[dict]) -> None:
        for a in alerts:
            level = a["level"]
            self.say(f"  {LEVEL_WORD[level]}: {a['message']}", style=LEVEL_STYLE[level])

    def error(self, message: str, field: str | None = None) -> None:
        if self.json_mode:
            self.json({"error": message, "field": field})
        else:
            self.err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)
