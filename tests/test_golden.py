"""The README's commands on the bundled samples write exactly what they wrote when the goldens
were recorded (``python scripts/golden.py --write``): a refactoring keeps behaviour."""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("golden", ROOT / "scripts" / "golden.py")
assert _spec and _spec.loader
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return golden.produce()


def test_readme_commands_write_what_the_goldens_hold(outputs: dict[str, str]) -> None:
    got = outputs
    bad = golden.differing(got)
    shown = []
    for name in bad:
        kept = golden.GOLDEN / name
        if kept.exists():
            diff = difflib.unified_diff(
                kept.read_text(encoding="utf-8").splitlines(),
                got[name].splitlines(),
                name,
                "now",
                lineterm="",
            )
            shown.append("\n".join(list(diff)[:40]))
    assert not bad, f"outputs changed: {bad}\n" + "\n".join(shown)


def test_a_changed_output_is_caught(outputs: dict[str, str]) -> None:
    """The comparison is not blind: one changed character in one output is reported."""
    got = dict(outputs)
    got["recurring.json"] = got["recurring.json"].replace("1", "2", 1)
    assert golden.differing(got) == ["recurring.json"]
