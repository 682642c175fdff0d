"""Models saved by the previous release (da398e1, before the layered packages) load and
predict identically (see data/previous_release/README.md)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from drugml import data
from drugml.models import PropertyModel

SAVED = Path(__file__).parent / "data" / "previous_release"
NAMES = ("xgboost_regression", "random_forest_classification", "knn_regression")


@pytest.mark.parametrize("name", NAMES)
def test_a_model_saved_by_the_previous_release_predicts_identically(name):
    model = PropertyModel.load(SAVED / name)
    query = data.load("approved_drugs")["smiles"].head(25).tolist()
    text = io.StringIO()
    model.predict(query).to_csv(text, index=False)  # through CSV, as the old predictions were
    now = pd.read_csv(io.StringIO(text.getvalue()))
    before = pd.read_csv(SAVED / f"{name}_predictions.csv")
    pd.testing.assert_frame_equal(now, before, check_exact=True)
