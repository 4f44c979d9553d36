"""The charts are plain matplotlib: no Django (the report can use them anywhere), no pyplot (global state)."""

import ast
import subprocess
import sys
from pathlib import Path

import gentling.charts
from tests.purity import imported_modules

CHARTS = Path(gentling.charts.__file__).parent
FORBIDDEN = ("django", "matplotlib.pyplot", "pylab")


def forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def test_the_charts_package_has_modules_to_check():
    assert {"figure.py", "holds.py", "sessions_per_day.py", "signs.py", "steps.py"} <= {
        p.name for p in CHARTS.glob("*.py")
    }


def test_no_chart_module_imports_django_or_pyplot():
    offenders = {
        f"{path.name}: {name}" for path in CHARTS.rglob("*.py") for name in imported_modules(path) if forbidden(name)
    }
    assert not offenders


def test_no_chart_module_picks_a_backend_globally():
    calls = {
        path.name
        for path in CHARTS.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("use", "switch_backend")
    }
    assert not calls


def test_importing_the_charts_loads_neither_django_nor_pyplot():
    code = (
        "import gentling.charts, sys; "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django' or m == 'matplotlib.pyplot'); "
        "assert not loaded, loaded"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
