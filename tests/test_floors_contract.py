"""The floors' import contract (scripts/check_floors.py) holds for the package, and would
catch each kind of breach it names."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_floors", ROOT / "scripts" / "check_floors.py")
assert _spec and _spec.loader
check_floors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_floors)


def test_the_package_keeps_the_contract() -> None:
    breaches = [
        line for path in sorted(check_floors.PACKAGE.rglob("*.py")) for line in check_floors.check_file(path)
    ]
    assert breaches == []


@pytest.mark.parametrize(
    ("where", "source", "rule"),
    [
        ("core/x.py", "from curtool.io.output import atomic_path\n", "floors"),
        ("core/x.py", "def f():\n    from curtool.app import pipeline\n", "floors"),
        ("io/x.py", "import curtool.app.cli\n", "floors"),
        ("io/x.py", "from curtool.synthetic import bulk\n", "floors"),
        ("app/x.py", "from curtool.core.mapping import _private\n", "private"),
        ("app/x.py", "from curtool.core import mapping\nmapping._private(1)\n", "private"),
        ("core/x.py", "def f(p):\n    return p.read_text()\n", "no-files"),
        ("core/x.py", "import numpy as np\nnp.load('m.npz')\n", "no-files"),
    ],
)
def test_each_kind_of_breach_is_caught(
    tmp_path: Path, monkeypatch, where: str, source: str, rule: str
) -> None:
    package = tmp_path / "curtool"
    for floor in ("core", "io", "app", "synthetic"):
        (package / floor).mkdir(parents=True)
        (package / floor / "__init__.py").write_text("")
    (package / "core" / "mapping.py").write_text("def _private(x):\n    return x\n")
    (package / "io" / "output.py").write_text("")
    target = package / where
    target.write_text(source)
    monkeypatch.setattr(check_floors, "ROOT", tmp_path)
    monkeypatch.setattr(check_floors, "PACKAGE", package)
    monkeypatch.setattr(check_floors, "RESOURCE_MODULE", package / "core" / "resources.py")
    found = check_floors.check_file(target)
    assert len(found) == 1 and f": {rule}: " in found[0], found


def test_allowed_arrows_pass(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "curtool"
    for floor in ("core", "io", "app"):
        (package / floor).mkdir(parents=True)
        (package / floor / "__init__.py").write_text("")
    (package / "core" / "errors.py").write_text("")
    app = package / "app" / "x.py"
    app.write_text(
        "from curtool.core import errors\nfrom curtool.io import output\nfrom curtool import __version__\n"
    )
    io = package / "io" / "y.py"
    io.write_text("from curtool.core.errors import CurtoolError\nopen('f').read()\n")
    resources = package / "core" / "resources.py"
    resources.write_text("from pathlib import Path\nPath('x').read_text()\n")
    monkeypatch.setattr(check_floors, "ROOT", tmp_path)
    monkeypatch.setattr(check_floors, "PACKAGE", package)
    monkeypatch.setattr(check_floors, "RESOURCE_MODULE", resources)
    assert [line for p in (app, io, resources) for line in check_floors.check_file(p)] == []


def test_design_lists_every_module_and_where_to_change_what() -> None:
    """docs/DESIGN.md names every module of the package (a new one is described there) and
    keeps its «where to change what» rows for the four common changes."""
    import re

    design = (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(\w+\.py)` \|", design, re.M))
    modules = {
        p.name for p in check_floors.PACKAGE.rglob("*.py") if p.name not in ("__init__.py", "__main__.py")
    }
    assert modules - listed == set()
    for change in ("a sheet of the weekly workbook", "an input format", "an option", "a block or a kind"):
        assert f"**{change}" in design, change
