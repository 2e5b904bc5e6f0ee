"""Artefacts several test files need, built once per test session.

Loading the bundled samples, classifying them, reading the development exports and
rebuilding the shipped model cost from a second to half a minute each; before this file
every test that needed one built its own.  Session-scoped fixtures build each once, on
first use (a quick run that needs none of them builds none).  They are shared: a test must
not change what it is given; those that change a frame take ``samples_frame``, a fresh copy.
Tests that write files still write under their own ``tmp_path``.

Markers (``pyproject.toml``): ``slow`` for tests of more than about half a second, a whole
sample classified, the model rebuilt, the real development files or a property with many
examples — left out of the quick loop ``pytest -m "not slow"``, run by plain ``pytest``;
``soak`` for the property on 10,000 generated exports, the only test plain ``pytest`` leaves
out (``pytest -m soak``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SAMPLE_FILES = (SAMPLES / "incidents_adygea.xlsx", SAMPLES / "pos_adygea.csv")
SAMPLE_TRUTH = SAMPLES / "truth.json"
DEV = ROOT.parent / "shared" / "dev"
SPB = DEV / "spb_dev.csv"
KURSK = DEV / "kursk_train_sectors.csv"


# --- the console's language ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def english_console(monkeypatch):
    """Tests that assert console lines assert the English ones (``--lang en``); the Russian
    default is tested where a test takes ``russian_console``.  ``COLUMNS`` from the shell
    running the tests must not narrow what CliRunner captures."""
    from curtool.app import lang

    monkeypatch.setenv("CURTOOL_LANG", "en")
    monkeypatch.delenv("COLUMNS", raising=False)
    lang.reset()  # a --lang given to an earlier test's run must not carry over in this process
    yield
    lang.reset()


@pytest.fixture
def russian_console(monkeypatch):
    """The console in its default language, Russian."""
    monkeypatch.delenv("CURTOOL_LANG", raising=False)


# --- the bundled samples (data/samples) ---------------------------------------------------


@pytest.fixture(scope="session")
def samples_truth() -> dict:
    """data/samples/truth.json, read once."""
    if not SAMPLE_TRUTH.exists():
        pytest.skip("data/samples/truth.json not generated yet")
    return json.loads(SAMPLE_TRUTH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def samples_loaded():
    """``load()`` of both sample exports (xlsx, then csv), once per session. Read only."""
    if not all(p.exists() for p in SAMPLE_FILES):
        pytest.skip("sample files missing")
    from curtool.io.loader import load

    return load(list(SAMPLE_FILES))


@pytest.fixture
def samples_frame(samples_loaded) -> pd.DataFrame:
    """The loaded samples' frame, a copy of its own for each test."""
    return samples_loaded.frame.copy()


@pytest.fixture(scope="session")
def samples_classified(samples_loaded):
    """``classify_detailed`` of the loaded samples with the shipped model, the export's own
    groups used (``classify(frame)`` is its ``.table``). Read only."""
    from curtool.core.classify import classify_detailed
    from curtool.io.modelfile import default_model

    return classify_detailed(samples_loaded.frame, default_model())


@pytest.fixture(scope="session")
def samples_classified_by_text(samples_loaded) -> pd.DataFrame:
    """``classify(frame, use_given=False)`` of the loaded samples: the model on every row. Read only."""
    from curtool.core import classify
    from curtool.io.modelfile import default_model

    return classify.classify(samples_loaded.frame, default_model(), use_given=False)


# --- the model ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shipped():
    """The shipped sector model (``modelfile.load_model()``). Read only."""
    from curtool.io import modelfile

    return modelfile.load_model()


@pytest.fixture(scope="session")
def rebuilt_default_model():
    """``default_model.build_default()``: the shipped model rebuilt from its sources (about 40 s)."""
    from curtool.synthetic import default_model

    return default_model.build_default()


# --- the development exports (../shared/dev), skipped where absent -------------------------


@pytest.fixture(scope="session")
def spb_loaded():
    """``load([spb_dev.csv])`` once per session. Read only."""
    if not SPB.exists():
        pytest.skip("../shared/dev/spb_dev.csv is absent")
    from curtool.io.loader import load

    return load([SPB])


@pytest.fixture(scope="session")
def kursk_rows() -> pd.DataFrame:
    """``pd.read_csv(kursk_train_sectors.csv)`` once per session. Read only: copy to change it."""
    if not KURSK.exists():
        pytest.skip("development data ../shared/dev/ is absent")
    return pd.read_csv(KURSK)


# --- work without a clock -------------------------------------------------------------------


def _count_calls(func):
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    try:
        result = func()
    finally:
        profile.disable()
    return pstats.Stats(profile).total_calls, result


@pytest.fixture(scope="session")
def count_calls():
    """``count_calls(func) -> (calls, func())``: the Python and built-in function calls
    ``func()`` makes, as cProfile counts them. The same code path gives the same count on any
    machine, however busy: unit tests bound work with it; times belong to benchmarks/."""
    return _count_calls
