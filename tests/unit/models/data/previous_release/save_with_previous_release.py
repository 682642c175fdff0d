"""Save the three models of this folder with whichever drugml is on the path (see README.md).

Written for drugml 0.x (da398e1), whose PropertyModel was ``drugml.models.PropertyModel`` as now.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np


def main(out: Path) -> None:
    from drugml import data
    from drugml.models import PropertyModel

    table = data.load("egfr_compounds").sample(160, random_state=0)
    smiles, y = table["smiles"].tolist(), table["pIC50"].to_numpy()
    query = data.load("approved_drugs")["smiles"].head(25).tolist()
    models = {
        "xgboost_regression": (
            {"task": "regression", "estimator": "xgboost",
             "estimator_params": {"n_estimators": 30}}, y),
        "random_forest_classification": (
            {"task": "classification", "estimator": "random_forest",
             "estimator_params": {"n_estimators": 20}}, (y >= np.median(y)).astype(int)),
        "knn_regression": ({"task": "regression", "estimator": "knn"}, y),
    }  # fmt: skip
    for name, (settings, target) in models.items():
        model = PropertyModel(random_state=0, **settings).fit(smiles[:140], target[:140])
        model.save(out / name)
        model.predict(query).to_csv(out / f"{name}_predictions.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
