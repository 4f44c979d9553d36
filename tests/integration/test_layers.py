"""Reads come from services (issue 13): web/, api/ and cli/ build no ORM query of their own.
They call service functions (services/selectors.py and the rule modules), as writes already
do, so a list reads the same rows, in the same number of queries, whichever interface shows it.
Forms may still name their models (web/forms.py), and no interface may reach `.objects`."""

from __future__ import annotations

import ast
from pathlib import Path

import gentling

PACKAGE = Path(gentling.__file__).parent
INTERFACES = ("web", "api", "cli")
# Forms name their models; the login throttle is django-axes' own database handler, extended.
ALLOWED = {PACKAGE / "web" / "forms.py", PACKAGE / "web" / "throttle.py"}
QUERY_METHODS = {
    "filter", "exclude", "order_by", "select_related", "prefetch_related", "annotate", "aggregate",
    "values_list", "only", "defer", "raw", "extra", "distinct", "bulk_create", "get_or_create",
    "update_or_create", "select_for_update", "in_bulk", "iterator",
}  # fmt: skip


def query_building(source: str, name: str = "<source>") -> list[str]:
    """Each place in `source` that builds an ORM query: `X.objects`, or a queryset method called."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"{name}:{node.lineno}: .objects")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_METHODS:
            found.append(f"{name}:{node.lineno}: .{node.func.attr}()")
    return sorted(found)


def test_the_check_finds_a_query_and_lets_a_service_call_through():
    view = "def v(request, h):\n    rows = Animal.objects.all()\n    return h.animals.order_by('name')\n"
    assert query_building(view) == ["<source>:2: .objects", "<source>:3: .order_by()"]
    assert query_building("def v(request, h):\n    return selectors.animals_listed(h)\n") == []


def test_no_interface_builds_its_own_query():
    found = [
        place
        for interface in INTERFACES
        for path in sorted((PACKAGE / interface).rglob("*.py"))
        if path not in ALLOWED
        for place in query_building(path.read_text(), str(path.relative_to(PACKAGE)))
    ]
    assert found == []
