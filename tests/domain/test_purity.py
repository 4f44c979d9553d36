"""The domain core is pure Python: no Django, so it can be tested and reused without a database."""

import subprocess
import sys
from pathlib import Path

import gentling.domain
from tests.purity import imported_modules

DOMAIN = Path(gentling.domain.__file__).parent
FRAMEWORKS = ("django", "rest_framework")


def test_the_domain_package_has_modules_to_check():
    assert {"engine.py", "plan.py", "guardrails.py", "protocol.py"} <= {p.name for p in DOMAIN.glob("*.py")}


def test_no_domain_module_imports_django():
    offenders = {
        f"{path.relative_to(DOMAIN)}: {name}"
        for path in DOMAIN.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in FRAMEWORKS
    }
    assert not offenders


def test_importing_the_domain_loads_no_django():
    code = (
        "import gentling.domain.engine, gentling.domain.plan, gentling.domain.guardrails, sys; "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django'); "
        "assert not loaded, loaded"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
