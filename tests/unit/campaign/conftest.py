"""What the campaign unit tests share: a small campaign on EGFR's 1M17 to vary section by
section (one quick ESOL model, the approved drugs as the library)."""

from __future__ import annotations

from typing import Any

import pytest

ESOL_MODEL = {
    "name": "logs",
    "data": {"table": "esol", "target_column": "measured log solubility in mols per litre"},
    "estimator": "knn",
}


@pytest.fixture
def egfr_campaign():
    """``egfr_campaign(target={...}, **sections)``: a campaign dict on 1M17 with the given
    target keys and extra sections (each replaces the default's)."""

    def build(target: dict[str, Any] | None = None, **sections: Any) -> dict[str, Any]:
        return {
            "target": {"structure": "egfr_1m17", **(target or {})},
            "models": [ESOL_MODEL],
            "library": {"path": "approved_drugs"},
            **sections,
        }

    return build
