"""Model and ranking metrics: one definition each, checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from drugml.models.metrics import (
    actives_in_top,
    bedroc,
    classification_metrics,
    enrichment_factor,
    enrichment_summary,
    interval_metrics,
    regression_metrics,
)


def test_enrichment_metrics():
    scores = np.arange(100, 0, -1, dtype=float)
    actives = np.zeros(100, dtype=bool)
    actives[[0, 1]] = True
    assert enrichment_factor(scores, actives, 0.01) == pytest.approx(50.0)
    assert bedroc(scores, actives) > 0.95
    assert bedroc(-scores, actives) < 0.05
    assert np.isnan(enrichment_factor(scores, np.zeros(100, dtype=bool), 0.05))
    assert actives_in_top(scores, actives, 0.01) == 1
    assert actives_in_top(-scores, actives, 0.05) == 0


def test_enrichment_summary_by_rank_or_by_a_column_and_without_training_compounds():
    table = pd.DataFrame(
        {
            "inchikey": list("ABCDEFGHIJ"),
            "rank": range(1, 11),
            "potency_prediction": [0, 9, 1, 2, 3, 4, 5, 6, 7, np.nan],
        }
    )
    by_rank = enrichment_summary(table, {"A", "B"})
    assert by_rank["n_known_actives"] == 2 and by_rank["ef_1pct"] == pytest.approx(5.0)
    by_column = enrichment_summary(table, {"B"}, by="potency_prediction")
    assert by_column["n_in_top_1pct"] == 1 and by_column["ranked_by"] == "potency_prediction"
    without = enrichment_summary(table, {"A", "B"}, exclude={"A"})
    assert without["n_compounds"] == 9 and without["n_known_actives"] == 1


def test_regression_classification_and_interval_metrics():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    reg = regression_metrics(y, y + 1.0)
    assert reg["rmse"] == pytest.approx(1.0) and reg["mae"] == pytest.approx(1.0)
    assert reg["spearman"] == pytest.approx(1.0)
    cls = classification_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]))
    assert cls["roc_auc"] == 1.0 and cls["mcc"] == pytest.approx(1.0)
    assert np.isnan(classification_metrics(np.array([1, 1]), np.array([0.2, 0.9]))["roc_auc"])
    inside = interval_metrics(y, y - 0.5, y + np.array([1, 1, -1, 1]))
    assert inside["coverage"] == 0.75 and inside["mean_interval_width"] == pytest.approx(1.0)
    assert inside["interval_width_sd"] == pytest.approx(np.std([1.5, 1.5, -0.5, 1.5]))
