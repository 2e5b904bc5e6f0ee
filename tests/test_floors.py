"""The declared dependency floors are the versions CI tests: pyproject.toml and .ci/floors.txt agree.

CI runs the suite twice (.ci/run): on the newest versions, then with every dependency pinned to
its floor by .ci/floors.txt. These tests keep that second run honest: a floor raised or lowered
in one file and not the other fails here, before it can claim a version nobody tested.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from curtool.io.sidefiles import read_population

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
FLOORS = ROOT / ".ci" / "floors.txt"
CI_RUN = ROOT / ".ci" / "run"
README = ROOT / "README.md"

# "name[extra]>=1.2.3": one lower bound and nothing else, so the floor is unambiguous
_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9._,-]+\])?>=([0-9][0-9A-Za-z.]*)$")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][0-9A-Za-z.]*)$")


def _normalise(name: str) -> str:
    """The package name as the index compares names (PEP 503): case and -_. do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    groups = project.get("optional-dependencies", {})
    return list(project["dependencies"]) + [r for group in groups.values() for r in group]


def _declared_floors() -> dict[str, str]:
    floors: dict[str, str] = {}
    for requirement in _declared():
        match = _REQUIREMENT.match(requirement.replace(" ", ""))
        assert match, f"{requirement!r} in pyproject.toml: write it as name>=floor"
        name, floor = _normalise(match.group(1)), match.group(3)
        # the same package in two groups (psutil: test and bench) must not claim two floors
        assert floors.setdefault(name, floor) == floor, f"{name}: floors {floors[name]} and {floor}"
    return floors


def _pinned() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in FLOORS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = _PIN.match(line.replace(" ", ""))
        assert match, f"{line!r} in .ci/floors.txt: write it as name==version"
        name = _normalise(match.group(1))
        assert name not in pins, f"{name} is pinned twice in .ci/floors.txt"
        pins[name] = match.group(2)
    return pins


def test_every_declared_dependency_has_a_floor() -> None:
    floors = _declared_floors()
    assert len(floors) == len({_normalise(_REQUIREMENT.match(r).group(1)) for r in _declared()})
    assert {"pandas", "numpy", "pyarrow", "scikit-learn", "pytest"} <= floors.keys()


def test_floors_file_pins_every_dependency_at_its_declared_floor() -> None:
    declared, pinned = _declared_floors(), _pinned()
    missing = sorted(declared.keys() - pinned.keys())
    extra = sorted(pinned.keys() - declared.keys())
    differ = {
        n: (declared[n], pinned[n]) for n in declared.keys() & pinned.keys() if declared[n] != pinned[n]
    }
    assert not missing, f"declared in pyproject.toml, not pinned in .ci/floors.txt: {missing}"
    assert not extra, f"pinned in .ci/floors.txt, not declared in pyproject.toml: {extra}"
    assert not differ, f"pyproject floor vs .ci/floors.txt pin: {differ}"


def test_ci_runs_the_readme_command_then_the_same_on_the_floors() -> None:
    checks = "ruff check . && python scripts/check_floors.py && pytest"
    command = f'pip install -e ".[test]" && {checks}'
    assert command in README.read_text(encoding="utf-8")
    lines = [line.strip() for line in CI_RUN.read_text(encoding="utf-8").splitlines()]
    main = next(i for i, line in enumerate(lines) if line.startswith(command))
    floors = next(
        i for i, line in enumerate(lines) if line == f'pip install -c .ci/floors.txt -e ".[test]" && {checks}'
    )
    assert main < floors


def test_population_with_a_no_break_space_reads_on_the_floor_pyarrow(tmp_path: Path) -> None:
    """pyarrow 18's regex engine refused the escape "\\u00a0" that read_population used."""
    table = tmp_path / "population.csv"
    table.write_text("district;population\nАбинский р-н;50\u00a0000\nСочи;1 200,5\n", encoding="utf-8")
    population = read_population(table)
    assert population["population"].tolist() == pytest.approx([50000.0, 1200.5])
