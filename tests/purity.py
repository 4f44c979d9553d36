"""Which modules a source file imports, for the tests that keep packages pure."""

import ast
from pathlib import Path


def imported_modules(path: Path) -> set[str]:
    """Absolute imports of `path`, with `from a import b` counted as both a and a.b."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.update([node.module] + [f"{node.module}.{alias.name}" for alias in node.names])
    return names


CLOCK_CALLS = {
    ("timezone", "now"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("clock", "now"),
    ("timezone", "localdate"),
    ("timezone", "localtime"),
}


def clock_reads(path: Path) -> list[str]:
    """Every place `path` reads the wall clock: a call such as `timezone.now()` or `date.today()`,
    and a reference such as `default=clock.now`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in CLOCK_CALLS:
                found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
    return found
