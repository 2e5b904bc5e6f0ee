"""The shipped model's build: the recipe (:func:`curtool.core.training.build_default`)
calibrated on messages of this generator, which the seed corpus never saw.

``scripts/build_model.py`` writes the result to ``curtool/data/default_model.npz``.
"""

from __future__ import annotations

from curtool.core import training
from curtool.core.model import SectorModel
from curtool.core.taxonomy import Taxonomy

# Messages of the sample generator the confidence temperature is fitted on.
CALIBRATION_MESSAGES = 20_000
CALIBRATION_SOURCE = "curtool's sample generator (curtool.synthetic, written apart from the seed corpus)"


def calibration_set(n: int = CALIBRATION_MESSAGES, seed: int = 7) -> tuple[list[str], list[str]]:
    """Messages the seed corpus never saw, with their blocks: the sample generator's (its own
    phrase bank, its own noise), so confidence is tuned on text the model finds as hard as new
    text, not on its own training material (on which it is nearly always right)."""
    from curtool.core.text import clean_text
    from curtool.synthetic import bulk

    frame = bulk.generate_messages(n, seed=seed, truth=True)
    texts = [clean_text(t) for t in frame["Текст сообщения"].astype(str)]
    return texts, frame["true_sector"].astype(str).tolist()


def build_default(taxonomy: Taxonomy | None = None, seed: int = 0) -> SectorModel:
    """The shipped model, as ``scripts/build_model.py`` builds it."""
    return training.build_default(calibration_set(), CALIBRATION_SOURCE, taxonomy, seed)
