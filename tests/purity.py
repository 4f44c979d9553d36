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
