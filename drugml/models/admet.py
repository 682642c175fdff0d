"""The ADMET panel: one model per ADMET endpoint, predictions in context of the approved drugs.

Twelve endpoints of the Therapeutics Data Commons ADMET benchmark group
(Huang et al. 2021), each an embedded data set (``data/admet/``), are listed
in one table, :data:`ENDPOINTS`: what each predicts in plain words, its unit,
which direction is better (and a sign for ranking), the transform of its
target, TDC's metric and the leaderboard's best value on TDC's test partition.
Adding an endpoint is adding one row.

- :func:`train_panel` fits one :class:`~drugml.models.PropertyModel` per
  endpoint on TDC's ``train_val`` rows only (standardized as
  :func:`drugml.chem.standardize` does), scores it on TDC's ``test`` rows with
  TDC's metric (written into its model card and ``panel.json``), saves it to
  ``out_dir/<endpoint>/`` and stores, per endpoint, 101 quantiles of its
  predictions for the approved drugs (:func:`drugml.data.load` ``("approved_drugs")``,
  standardized and deduplicated): the reference for percentiles.
- :func:`load_panel` reads it back (JSON and the models' safe formats; no
  pickle) as an :class:`AdmetPanel`, whose :meth:`~AdmetPanel.predict` gives a
  tidy table (one row per molecule and endpoint: value, interval, domain,
  unit, direction, percentile among the approved drugs) and
  :meth:`~AdmetPanel.predict_wide` the screen's columns
  (:func:`drugml.schema.model_columns`).

Each endpoint's folder is an ordinary saved model, so ``drugml screen LIB
--model herg=models/admet/herg`` puts it into a screen and a ranking.

Example
-------
>>> from drugml.models.admet import ENDPOINTS
>>> ENDPOINTS["herg"].direction
'higher probability of blocking hERG is worse'
>>> ENDPOINTS["clearance_microsome_az"].objective_shape
'decreasing'
>>> from drugml.models.admet import train_panel, load_panel
>>> folder = train_panel("models/admet", endpoints=["herg", "hia_hou"])  # doctest: +SKIP
>>> load_panel(folder).predict(["CCO"])  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml._version import __version__
from drugml.errors import DrugmlError

if TYPE_CHECKING:
    import pandas as pd

    from drugml.models import PropertyModel

__all__ = [
    "ENDPOINTS",
    "PANEL_FORMAT_VERSION",
    "REFERENCE_DATASET",
    "AdmetError",
    "AdmetPanel",
    "Endpoint",
    "PanelLoadError",
    "UnknownEndpointError",
    "endpoint_table",
    "load_panel",
    "percentile_of",
    "tdc_score",
    "train_panel",
]

#: Version of the ``panel.json`` layout; loading another fails clearly.
PANEL_FORMAT_VERSION = 1
#: The molecules each prediction is compared with (percentiles).
REFERENCE_DATASET = "approved_drugs"
#: Quantiles of the reference predictions stored per endpoint (0, 1, ..., 100 %).
N_QUANTILES = 101
PANEL_FILE = "panel.json"
#: Columns of :meth:`AdmetPanel.predict`, in order (``id`` follows ``record`` when the
#: input has identifiers).
TIDY_COLUMNS = (
    "record", "input", "smiles", "endpoint", "value", "lower", "upper", "in_domain",
    "nearest_similarity", "unit", "direction", "percentile_vs_approved_drugs", "ok", "error",
)  # fmt: skip


class AdmetError(DrugmlError):
    """The ADMET panel cannot do what was asked; the message says why."""


class UnknownEndpointError(AdmetError, LookupError):
    """An endpoint name that is not in :data:`ENDPOINTS` (or not in a panel)."""


class PanelLoadError(AdmetError):
    """A folder is not a readable ADMET panel (no ``panel.json``, a missing model ...)."""


@dataclass(frozen=True)
class Endpoint:
    """One ADMET endpoint: a row of :data:`ENDPOINTS`.

    ``better`` is ``"higher"``, ``"lower"`` or ``None`` (neither: it depends on
    the project, or the property is context, not a goal); ``direction`` says
    the same in words. ``target_transform`` is what the regression target
    needs before fitting (``"log"`` for strictly positive, heavily skewed
    values). ``tdc_metric`` and ``leaderboard_best`` are TDC's metric on its
    test partition and the leaderboard's rank-1 value (data/PROVENANCE.md).
    ``estimator`` is the :class:`~drugml.models.PropertyModel` estimator
    (``None``: its default).
    """

    name: str  # also the prefix of its screen columns
    dataset: str  # embedded data set (drugml.data) with TDC's columns and tdc_split
    tdc_name: str
    title: str  # a short label for tables and plots
    task: str  # "classification" (value: probability of y = 1) or "regression"
    unit: str
    meaning: str
    direction: str
    better: str | None
    target_transform: str | None
    tdc_metric: str  # "AUROC", "AUPRC", "MAE" or "Spearman"
    leaderboard_best: float
    leaderboard_method: str
    reference: str  # the data's original source, as TDC cites it
    #: The PropertyModel estimator; None: PropertyModel's default (its own choice per data set).
    estimator: str | None = None

    @property
    def sign(self) -> int:
        """+1 when higher is better, -1 when lower is better, 0 when neither."""
        return {"higher": 1, "lower": -1, None: 0}[self.better]

    @property
    def objective_shape(self) -> str | None:
        """The ranking's desirability shape for this endpoint (None: neutral)."""
        return {1: "increasing", -1: "decreasing", 0: None}[self.sign]

    @property
    def value_column(self) -> str:
        """``<name>_probability`` or ``<name>_prediction`` (:mod:`drugml.schema`)."""
        from drugml.schema import prediction_column

        return prediction_column(self.name, self.task)

    @property
    def higher_is_better_metric(self) -> bool:
        """Whether a higher ``tdc_metric`` is better (MAE: lower is)."""
        return self.tdc_metric != "MAE"


_CYP = ("Veith, H. et al. Comprehensive characterization of cytochrome P450 isozyme selectivity "
        "across chemical libraries. Nat. Biotechnol. 27, 1050-1055 (2009)")  # fmt: skip
_AZ = ("AstraZeneca (Wenlock, M. & Tomkinson, N.). Experimental in vitro DMPK and "
       "physicochemical data on a set of publicly disclosed compounds. ChEMBL, "
       "doi:10.6019/CHEMBL3301361 (2016)")  # fmt: skip


#: The estimator of the large sets (AMES, the CYPs, PPBR: 2,200 to 10,500 training molecules).
#: PropertyModel's default menu costs about 2.5 times one XGBoost fit and, on these sets,
#: chose XGBoost anyway (benchmarks/admet.py); the smaller sets keep the menu.
_LARGE_SET_ESTIMATOR = "xgboost"


def _cyp(isoform: str, best: float) -> Endpoint:
    return Endpoint(
        name=f"cyp{isoform.lower()}_veith", dataset=f"cyp{isoform.lower()}_veith",
        tdc_name=f"CYP{isoform}_Veith", title=f"CYP{isoform} inhibition",
        task="classification", unit="probability",
        meaning=(f"Probability that the molecule inhibits cytochrome P450 {isoform}, a liver "
                 "enzyme that metabolizes many drugs: an inhibitor raises the exposure of "
                 "co-administered drugs (drug-drug interactions)."),
        direction=f"higher probability of inhibiting CYP{isoform} is worse",
        better="lower", target_transform=None, tdc_metric="AUPRC", leaderboard_best=best,
        leaderboard_method="MapLight + GNN", reference=_CYP, estimator=_LARGE_SET_ESTIMATOR,
    )  # fmt: skip


#: The panel's endpoints, by name. Leaderboard values: data/PROVENANCE.md ("admet/").
ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in (
        Endpoint(
            name="herg", dataset="herg", tdc_name="hERG", title="hERG blockade",
            task="classification", unit="probability",
            meaning=("Probability that the molecule blocks the hERG potassium channel of the "
                     "heart; blockers can prolong the QT interval and cause arrhythmia "
                     "(cardiotoxicity)."),
            direction="higher probability of blocking hERG is worse", better="lower",
            target_transform=None, tdc_metric="AUROC", leaderboard_best=0.88,
            leaderboard_method="MapLight + GNN",
            reference=("Wang, S. et al. ADMET evaluation in drug discovery. 16. Predicting hERG "
                       "blockers by combining multiple pharmacophores and machine learning "
                       "approaches. Mol. Pharm. 13, 2855-2866 (2016)"),
        ),
        Endpoint(
            name="ames", dataset="ames", tdc_name="AMES", title="Ames mutagenicity",
            task="classification", unit="probability",
            meaning=("Probability that the molecule is mutagenic in the Ames test (reverse "
                     "mutation in bacteria), a flag for genotoxicity and carcinogenicity."),
            direction="higher probability of being mutagenic is worse", better="lower",
            target_transform=None, tdc_metric="AUROC", leaderboard_best=0.871,
            leaderboard_method="ZairaChem",
            reference=("Xu, C. et al. In silico prediction of chemical Ames mutagenicity. "
                       "J. Chem. Inf. Model. 52, 2840-2847 (2012)"),
            estimator=_LARGE_SET_ESTIMATOR,
        ),
        Endpoint(
            name="bbb_martins", dataset="bbb_martins", tdc_name="BBB_Martins",
            title="blood-brain barrier", task="classification", unit="probability",
            meaning=("Probability that the molecule crosses the blood-brain barrier into the "
                     "central nervous system."),
            direction=("depends on the target: higher for CNS targets, lower for peripheral "
                       "targets (fewer CNS side effects)"),
            better=None, target_transform=None, tdc_metric="AUROC", leaderboard_best=0.92,
            leaderboard_method="CFA",
            reference=("Martins, I. F. et al. A Bayesian approach to in silico blood-brain "
                       "barrier penetration modeling. J. Chem. Inf. Model. 52, 1686-1697 (2012)"),
        ),
        Endpoint(
            name="caco2_wang", dataset="caco2_wang", tdc_name="Caco2_Wang",
            title="Caco-2 permeability", task="regression", unit="log10(cm/s)",
            meaning=("Apparent permeability through a monolayer of Caco-2 cells, a model of the "
                     "human intestinal wall (log10 of cm/s): how easily an oral drug passes "
                     "into the blood."),
            direction="higher permeability is better", better="higher",
            target_transform=None,  # already a log10 value
            tdc_metric="MAE", leaderboard_best=0.276, leaderboard_method="MapLight",
            reference=("Wang, N.-N. et al. ADME properties evaluation in drug discovery: "
                       "prediction of Caco-2 cell permeability using a combination of NSGA-II "
                       "and boosting. J. Chem. Inf. Model. 56, 763-773 (2016)"),
        ),
        _cyp("3A4", 0.916),
        _cyp("2D6", 0.79),
        _cyp("2C9", 0.859),
        Endpoint(
            name="hia_hou", dataset="hia_hou", tdc_name="HIA_Hou",
            title="intestinal absorption", task="classification", unit="probability",
            meaning="Probability that the molecule is absorbed from the human intestine.",
            direction="higher probability of intestinal absorption is better (oral drugs)",
            better="higher", target_transform=None, tdc_metric="AUROC", leaderboard_best=0.99,
            leaderboard_method="DeepMol",
            reference=("Hou, T. et al. ADME evaluation in drug discovery. 7. Prediction of oral "
                       "absorption by correlation and classification. J. Chem. Inf. Model. 47, "
                       "208-218 (2007)"),
        ),
        Endpoint(
            name="pgp_broccatelli", dataset="pgp_broccatelli", tdc_name="Pgp_Broccatelli",
            title="P-gp inhibition", task="classification", unit="probability",
            meaning=("Probability that the molecule inhibits P-glycoprotein (MDR1, ABCB1), an "
                     "efflux pump of the gut, liver, kidney and blood-brain barrier: an "
                     "inhibitor changes the absorption and distribution of other drugs."),
            direction="higher probability of inhibiting P-gp is worse", better="lower",
            target_transform=None, tdc_metric="AUROC", leaderboard_best=0.938,
            leaderboard_method="MapLight + GNN",
            reference=("Broccatelli, F. et al. A novel approach for predicting P-glycoprotein "
                       "(ABCB1) inhibition using molecular interaction fields. J. Med. Chem. 54, "
                       "1740-1751 (2011)"),
        ),
        Endpoint(
            name="dili", dataset="dili", tdc_name="DILI", title="liver injury (DILI)",
            task="classification", unit="probability",
            meaning="Probability that the molecule causes drug-induced liver injury in humans.",
            direction="higher probability of liver injury is worse", better="lower",
            target_transform=None, tdc_metric="AUROC", leaderboard_best=0.925,
            leaderboard_method="ZairaChem",
            reference=("Xu, Y. et al. Deep learning for drug-induced liver injury. "
                       "J. Chem. Inf. Model. 55, 2085-2093 (2015)"),
        ),
        Endpoint(
            name="ppbr_az", dataset="ppbr_az", tdc_name="PPBR_AZ",
            title="plasma protein binding", task="regression", unit="% bound",
            meaning=("Percentage of the drug bound to plasma proteins (mostly albumin); only "
                     "the unbound drug reaches the target and is cleared. TDC's set mixes "
                     "species (993 repeated SMILES)."),
            direction=("neither good nor bad by itself: read with potency and clearance (above "
                       "about 99 % little free drug is left)"),
            better=None,
            target_transform=None,  # bounded at 100 % and left-skewed: a log would not help
            tdc_metric="MAE", leaderboard_best=7.505, leaderboard_method="ChemFM",
            reference=_AZ, estimator=_LARGE_SET_ESTIMATOR,
        ),
        Endpoint(
            name="clearance_microsome_az", dataset="clearance_microsome_az",
            tdc_name="Clearance_Microsome_AZ", title="microsomal clearance",
            task="regression", unit="uL/min/mg protein",
            meaning=("Intrinsic clearance in human liver microsomes: how fast liver enzymes "
                     "metabolize the molecule in vitro. High clearance means a short exposure "
                     "and half-life."),
            direction="lower clearance is better (more metabolically stable)", better="lower",
            target_transform="log",  # strictly positive, heavily right-skewed (3 to 150)
            tdc_metric="Spearman", leaderboard_best=0.63, leaderboard_method="MapLight + GNN",
            reference=(_AZ + "; Di, L. et al. Mechanistic insights from comparing intrinsic "
                       "clearance values between human liver microsomes and hepatocytes to "
                       "guide drug design. Eur. J. Med. Chem. 57, 441-448 (2012)"),
        ),
    )
}  # fmt: skip


def endpoint_table(endpoints: Mapping[str, Endpoint] | None = None) -> pd.DataFrame:
    """The endpoints as a table, one row each (every field plus ``sign``).

    >>> table = endpoint_table()
    >>> table.loc[table.name == "hia_hou", ["task", "better", "tdc_metric"]].to_numpy().tolist()
    [['classification', 'higher', 'AUROC']]
    """
    import pandas as pd

    rows = [{**asdict(e), "sign": e.sign} for e in (endpoints or ENDPOINTS).values()]
    return pd.DataFrame(rows)


def _resolve_endpoints(endpoints: Iterable[str] | str | None) -> list[Endpoint]:
    if endpoints is None:
        return list(ENDPOINTS.values())
    names = endpoints.split(",") if isinstance(endpoints, str) else list(endpoints)
    names = [n.strip() for n in names if n and n.strip()]
    unknown = [n for n in names if n not in ENDPOINTS]
    if unknown:
        raise UnknownEndpointError(
            f"Unknown ADMET endpoint(s) {unknown}; known: {', '.join(ENDPOINTS)}"
        )
    if not names:
        raise AdmetError("No endpoint given; name at least one of: " + ", ".join(ENDPOINTS))
    return [ENDPOINTS[n] for n in dict.fromkeys(names)]


# --------------------------------------------------------------------------- metrics
def tdc_score(endpoint: Endpoint | str, y_true: Any, value: Any) -> float:
    """TDC's metric of ``endpoint`` for measured ``y_true`` and predicted ``value``.

    As TDC's ``Evaluator`` computes it: AUROC (``roc_auc_score``), AUPRC
    (``average_precision_score``) on probabilities, MAE, Spearman's rho.

    >>> tdc_score("herg", [0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4])
    1.0
    """
    from scipy.stats import spearmanr
    from sklearn.metrics import average_precision_score, mean_absolute_error, roc_auc_score

    endpoint = ENDPOINTS[endpoint] if isinstance(endpoint, str) else endpoint
    y, v = np.asarray(y_true, dtype=float), np.asarray(value, dtype=float)
    metric = {"AUROC": roc_auc_score, "AUPRC": average_precision_score,
              "MAE": mean_absolute_error,
              "Spearman": lambda a, b: spearmanr(a, b).statistic}[endpoint.tdc_metric]  # fmt: skip
    return float(metric(y, v))


def percentile_of(values: Any, quantiles: Sequence[float]) -> np.ndarray:
    """Where each value sits among the reference predictions summarized by ``quantiles``
    (the 0th, 1st, ..., 100th percentile): 0-100, NaN for NaN.

    Linear between quantiles; a value on a run of equal quantiles gets the middle
    of the run (many approved drugs share a probability near 0); below the
    smallest 0, above the largest 100. Monotone in the value.

    >>> percentile_of([0.5, 1.0, 3.0], [0.0, 1.0, 1.0, 1.0, 2.0]).tolist()
    [25.0, 50.0, 100.0]
    """
    q = np.asarray(quantiles, dtype=float)
    v = np.asarray(values, dtype=float)
    levels = np.linspace(0.0, 100.0, len(q))
    unique, inverse = np.unique(q, return_inverse=True)
    level = np.bincount(inverse, weights=levels) / np.bincount(inverse)
    out = np.interp(v, unique, level)
    out[v < unique[0]] = 0.0
    out[v > unique[-1]] = 100.0
    out[np.isnan(v)] = np.nan
    return out


# --------------------------------------------------------------------------- training
def _model_for(endpoint: Endpoint, estimator: str | None,
               estimator_params: Mapping[str, Any] | None, n_jobs: int,
               progress: bool | str) -> tuple[PropertyModel, str | None]:  # fmt: skip
    """A PropertyModel for the endpoint, and the target transform it was given."""
    from drugml.models import PropertyModel

    params: dict[str, Any] = {"task": endpoint.task, "n_jobs": n_jobs, "progress": progress,
                              "estimator_params": dict(estimator_params or {}) or None}  # fmt: skip
    if (estimator or endpoint.estimator) is not None:
        params["estimator"] = estimator or endpoint.estimator
    # PropertyModel's target_transform is newer than this panel: use it where it exists; a
    # drugml without it fits the raw scale, and panel.json says so.
    applied = None
    if "target_transform" in PropertyModel().get_params():
        params["target_transform"] = applied = endpoint.target_transform
    return PropertyModel(**params), applied


def _standardized(smiles: Sequence[Any], n_jobs: int) -> pd.DataFrame:
    """:func:`drugml.chem.standardize` of ``smiles``, on processes for large sets."""
    from drugml.chem import standardize

    jobs = n_jobs if len(smiles) >= 5000 else 1
    return standardize(list(smiles), n_jobs=jobs, progress=False)


def _split_rows(endpoint: Endpoint) -> tuple[pd.DataFrame, pd.DataFrame]:
    from drugml import data

    table = data.load(endpoint.dataset)
    missing = {"smiles", "y", "tdc_split"} - set(table.columns)
    if missing:
        raise AdmetError(f"Data set {endpoint.dataset!r} lacks the TDC column(s) {missing}")
    return (table[table["tdc_split"] == "train_val"].reset_index(drop=True),
            table[table["tdc_split"] == "test"].reset_index(drop=True))  # fmt: skip


def _fit_endpoint(endpoint: Endpoint, directory: Path, estimator: str | None,
                  estimator_params: Mapping | None, n_jobs: int,
                  progress: bool) -> tuple[PropertyModel, dict[str, Any]]:  # fmt: skip
    """Fit, score on TDC's test rows, describe and save one endpoint; it and its panel.json
    record."""
    import warnings

    from drugml import data

    start = time.perf_counter()
    train, test = _split_rows(endpoint)
    train_std = _standardized(train["smiles"].tolist(), n_jobs)
    usable = train_std["ok"].to_numpy()
    label = f"admet {endpoint.name}" if progress else False
    model, applied = _model_for(endpoint, estimator, estimator_params, n_jobs, label)
    with warnings.catch_warnings():
        # A skipped record is counted below and in panel.json; not a warning per endpoint.
        warnings.filterwarnings("ignore", message="PropertyModel.fit skipped")
        model.fit(train_std.loc[usable, "smiles"].tolist(), train.loc[usable, "y"].to_numpy())
    applied = getattr(model, "target_transform_", applied)  # what fit did, where it says
    fit_seconds = time.perf_counter() - start

    test_std = _standardized(test["smiles"].tolist(), n_jobs)
    scored = test_std["ok"].to_numpy()
    predictions = model.predict(test_std.loc[scored, "smiles"].tolist())
    y_test = test.loc[scored, "y"].to_numpy(dtype=float)
    value = predictions["probability" if endpoint.task == "classification" else "prediction"]
    score = tdc_score(endpoint, y_test, value.to_numpy(dtype=float))
    metrics = model.evaluate(None, y_test, predictions=predictions)
    how = (f"TDC's own test partition of {endpoint.tdc_name} (scaffold split), "
           f"{int(scored.sum()):,} of {len(test):,} molecules")  # fmt: skip
    if (~scored).any():
        how += f"; {int((~scored).sum())} could not be standardized"
    dataset = data.info(endpoint.dataset)
    model.describe(
        endpoint=f"{endpoint.title} ({endpoint.tdc_name})", unit=endpoint.unit,
        target=endpoint.meaning, data_source=f"{endpoint.dataset} ({dataset.relative_path}, "
        "tdc_split == 'train_val')", data_source_sha256=dataset.sha256,
        held_out_test={**metrics, "how": how},
    )  # fmt: skip
    model.save(directory)
    record = {
        "directory": endpoint.name,
        "task": endpoint.task,
        "n_train_val": len(train),
        "n_trained": int(model.training_info_["n_molecules"]),
        "not_standardized": _failures(train_std),
        "skipped_by_model": model.training_info_["skipped"],
        "estimator": model.estimator,
        "estimator_params": model.estimator_params_,
        "selection": getattr(model, "selection_", None),
        "target_transform_requested": endpoint.target_transform,
        "target_transform_applied": applied,
        "fit_seconds": round(fit_seconds, 2),
        "tdc_test": {
            "metric": endpoint.tdc_metric,
            "value": round(score, 4),
            "leaderboard_best": endpoint.leaderboard_best,
            "leaderboard_method": endpoint.leaderboard_method,
            "n_test": len(test),
            "n_scored": int(scored.sum()),
            "not_standardized": _failures(test_std),
            "in_domain_fraction": round(float(predictions["in_domain"].mean()), 4),
        },
    }
    if endpoint.target_transform and applied != endpoint.target_transform:
        record["note"] = (f"target_transform {endpoint.target_transform!r} wanted, but this "
                          "drugml's PropertyModel has no target_transform: fitted on the raw "
                          "scale")  # fmt: skip
    return model, record


def _failures(standardized: pd.DataFrame) -> dict[str, Any]:
    failed = standardized[~standardized["ok"]]
    return {"count": len(failed),
            "reasons": failed["error_type"].value_counts().to_dict()}  # fmt: skip


def _reference_molecules(n_jobs: int) -> tuple[list[str], dict[str, Any]]:
    """The approved drugs, standardized and deduplicated on the standardized SMILES."""
    from drugml import data

    drugs = data.load(REFERENCE_DATASET)
    out = _standardized(drugs["smiles"].tolist(), n_jobs)
    usable = out.loc[out["ok"], "smiles"]
    unique = list(dict.fromkeys(usable))
    info = {"data_set": REFERENCE_DATASET, "sha256": data.info(REFERENCE_DATASET).sha256,
            "n_records": len(drugs), "n_not_standardized": int((~out["ok"]).sum()),
            "n_molecules": len(unique),
            "how": "drugml.chem.standardize (largest organic fragment, normalized, neutralized), "
                   "then one row per distinct standardized SMILES (salt forms merged)"}  # fmt: skip
    return unique, info


def _predict_shared(models: Mapping[str, PropertyModel], smiles: Sequence[str]
                    ) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Each model's :meth:`~PropertyModel.predict_mols` for valid standardized SMILES; each
    molecule parsed and fingerprinted once, featurized once per distinct featurizer."""
    from rdkit import Chem

    from drugml.featurize import bit_fingerprints, fingerprint_bits

    mols = [Chem.MolFromSmiles(s) for s in smiles]
    fps = bit_fingerprints(mols, radius=2, n_bits=2048)  # the domain's ECFP4 (predict_mols)
    bits = fingerprint_bits(fps)
    features: dict[str | None, Any] = {}
    out = {}
    for name, model in models.items():
        key = model.featurizer_key()
        if key is not None and key not in features:
            features[key] = model.featurizer_.transform(mols)
        out[name] = model.predict_mols(mols, features=features.get(key), domain_fingerprints=fps,
                                       domain_bits=bits)  # fmt: skip
    return out


def train_panel(
    out_dir: str | Path,
    endpoints: Iterable[str] | str | None = None,
    n_jobs: int | None = None,
    estimator_params: Mapping[str, Any] | None = None,
    progress: bool = True,
    estimator: str | None = None,
) -> Path:
    """Train one model per endpoint on TDC's ``train_val`` rows; save the panel to ``out_dir``.

    ``endpoints``: names of :data:`ENDPOINTS` (a list or ``"herg,ames"``;
    default all). ``n_jobs``: threads for each fit and processes for
    standardizing large sets (default: every core). ``estimator``: the
    :class:`~drugml.models.PropertyModel` estimator of every endpoint (default:
    each endpoint's own, :attr:`Endpoint.estimator`). ``estimator_params``:
    overrides of that estimator's defaults for every endpoint (e.g.
    ``estimator="xgboost", estimator_params={"n_estimators": 50}`` for a quick
    panel). Writes ``out_dir/<endpoint>/``
    (a saved :class:`~drugml.models.PropertyModel` with its model card, which
    holds the score on TDC's ``test`` rows) and ``out_dir/panel.json``.
    Returns ``out_dir``. The whole panel takes about 330 CPU-seconds (5 to 10
    minutes on 2 cores; ``benchmarks/results/admet.json``).

    >>> folder = train_panel("models/admet", endpoints="herg,hia_hou")  # doctest: +SKIP
    """
    start = time.perf_counter()
    chosen = _resolve_endpoints(endpoints)
    if estimator_params and estimator is None:
        # Settings are an estimator's own (XGBoost's differ from the default menu's): without
        # a named estimator they would reach some endpoints' estimators and not others.
        raise AdmetError("estimator_params need the estimator they are for: pass estimator= "
                         "as well (e.g. estimator='xgboost')")  # fmt: skip
    n_jobs = n_jobs if n_jobs is not None else (os.cpu_count() or 1)
    if not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise AdmetError(f"n_jobs must be a positive number or -1, got {n_jobs!r}")
    n_jobs = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records, models = {}, {}
    for endpoint in chosen:
        models[endpoint.name], records[endpoint.name] = _fit_endpoint(
            endpoint, out / endpoint.name, estimator, estimator_params, n_jobs, progress
        )

    # Reference distribution: every endpoint's predictions for the approved drugs.
    reference_start = time.perf_counter()
    smiles, reference = _reference_molecules(n_jobs)
    predicted = _predict_shared(models, smiles)
    levels = np.linspace(0, 100, N_QUANTILES)
    reference["quantiles"], reference["in_domain_fraction"] = {}, {}
    for endpoint in chosen:
        frame = predicted[endpoint.name]
        value = frame["probability" if endpoint.task == "classification" else "prediction"]
        reference["quantiles"][endpoint.name] = [
            float(x) for x in np.percentile(value.to_numpy(dtype=float), levels)
        ]
        reference["in_domain_fraction"][endpoint.name] = round(float(frame["in_domain"].mean()), 4)
    reference["seconds"] = round(time.perf_counter() - reference_start, 2)

    panel = {
        "format_version": PANEL_FORMAT_VERSION,
        "drugml": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "endpoints": [e.name for e in chosen],
        "endpoint_table": {e.name: asdict(e) for e in chosen},
        "models": records,
        "reference": reference,
        "training": {
            "n_jobs": n_jobs,
            "estimator": estimator,
            "estimator_params": dict(estimator_params or {}),
            "total_seconds": round(time.perf_counter() - start, 2),
        },
    }
    (out / PANEL_FILE).write_text(json.dumps(panel, indent=2, allow_nan=True) + "\n")
    return out


# --------------------------------------------------------------------------- the panel
class AdmetPanel:
    """A trained ADMET panel: one model per endpoint and the approved drugs' quantiles.

    Made by :func:`load_panel`. ``endpoints`` (name -> :class:`Endpoint`),
    ``models`` (name -> :class:`~drugml.models.PropertyModel`), ``quantiles``
    (name -> 101 values), ``info`` (the rest of ``panel.json``).
    """

    def __init__(self, endpoints: Mapping[str, Endpoint], models: Mapping[str, PropertyModel],
                 quantiles: Mapping[str, Sequence[float]], info: Mapping[str, Any] | None = None,
                 directory: Path | None = None) -> None:  # fmt: skip
        missing = [n for n in endpoints if n not in models or n not in quantiles]
        if missing:
            raise PanelLoadError(f"Endpoint(s) {missing} have no model or no reference quantiles")
        self.endpoints = dict(endpoints)
        self.models = dict(models)
        self.quantiles = {n: list(q) for n, q in quantiles.items()}
        self.info = dict(info or {})
        self.directory = directory

    def __repr__(self) -> str:
        return f"AdmetPanel({', '.join(self.endpoints)})"

    def percentile(self, endpoint: str, values: Any) -> np.ndarray:
        """Percentile (0-100) of ``values`` among the approved drugs' predictions of ``endpoint``.

        >>> panel = AdmetPanel({"herg": ENDPOINTS["herg"]}, {"herg": None},
        ...                    {"herg": [0.1 * i for i in range(11)]})
        >>> panel.percentile("herg", [0.05, 0.5]).round(1).tolist()
        [5.0, 50.0]
        """
        if endpoint not in self.quantiles:
            raise UnknownEndpointError(f"{endpoint!r} is not in this panel: {list(self.endpoints)}")
        return percentile_of(values, self.quantiles[endpoint])

    def predict(self, smiles: Any, endpoints: Iterable[str] | str | None = None) -> pd.DataFrame:
        """The tidy table: one row per (input molecule, endpoint), inputs in order.

        ``smiles``: SMILES strings or RDKit molecules (a list or Series), or a
        table :func:`drugml.chem.read_molecules` returned (its ``id`` column is
        kept). Each input is standardized as :func:`drugml.chem.standardize`
        does. Columns: ``record`` (input position, 0-based), ``id`` (when
        given), ``input``, ``smiles`` (standardized), ``endpoint``, ``value``
        (probability, or the regression prediction), ``lower``/``upper`` (the
        regression interval), ``in_domain``, ``nearest_similarity``, ``unit``,
        ``direction`` (words), ``percentile_vs_approved_drugs`` (0-100), ``ok``
        and ``error``. An input that cannot be used keeps a row per endpoint
        with NaN and the reason: ``len(out) == len(inputs) * len(endpoints)``.
        """
        import pandas as pd

        chosen = self.endpoint_names(endpoints)
        std = self._standardize(smiles)
        ok = std["ok"].to_numpy(dtype=bool)
        valid = std.loc[ok, "smiles"].tolist()
        predicted = _predict_shared({n: self.models[n] for n in chosen}, valid) if valid else {}
        n = len(std)
        blocks = []
        for name in chosen:
            endpoint = self.endpoints[name]
            value, lower, upper, similarity = (np.full(n, np.nan) for _ in range(4))
            in_domain = pd.array([pd.NA] * n, dtype="boolean")
            if valid:
                frame = predicted[name]
                is_classifier = endpoint.task == "classification"
                value[ok] = frame["probability" if is_classifier else "prediction"]
                if not is_classifier:
                    lower[ok], upper[ok] = frame["lower"], frame["upper"]
                similarity[ok] = frame["nearest_similarity"]
                in_domain[ok] = frame["in_domain"].to_numpy(dtype=bool)
            block = pd.DataFrame({
                "record": np.arange(n), "input": std["input"].to_numpy(),
                "smiles": std["smiles"].to_numpy(), "endpoint": name, "value": value,
                "lower": lower, "upper": upper, "in_domain": in_domain,
                "nearest_similarity": similarity, "unit": endpoint.unit,
                "direction": endpoint.direction,
                "percentile_vs_approved_drugs": self.percentile(name, value),
                "ok": ok, "error": std["error"].to_numpy(),
            })  # fmt: skip
            if "id" in std.columns:
                block.insert(1, "id", std["id"].to_numpy())
            blocks.append(block)
        if not blocks or not n:
            columns = list(TIDY_COLUMNS)
            if "id" in std.columns:
                columns.insert(1, "id")
            return pd.DataFrame(columns=columns)
        # Molecule by molecule, each with its endpoints in the panel's order.
        tidy = pd.concat(blocks, ignore_index=True)
        return tidy.sort_values("record", kind="stable").reset_index(drop=True)

    def predict_wide(self, smiles: Any, endpoints: Iterable[str] | str | None = None,
                     percentiles: bool = False) -> pd.DataFrame:  # fmt: skip
        """One row per input with the screen's columns of every endpoint.

        Columns: ``record``, ``id`` (when given), ``input``, ``smiles``, ``ok``,
        ``error``, then per endpoint :func:`drugml.schema.model_columns`
        (``herg_probability``, ``herg_nearest_similarity``, ``herg_in_domain``;
        ``caco2_wang_prediction``, ``..._lower``, ``..._upper``, ...) so that a
        ranking's objectives and filters can name them; ``percentiles`` adds
        ``<endpoint>_percentile_vs_approved_drugs``.
        """
        from drugml.schema import model_columns

        tidy = self.predict(smiles, endpoints)
        keys = ["record", "id", "input", "smiles", "ok", "error"]
        keys = [k for k in keys if k in tidy.columns]
        chosen = self.endpoint_names(endpoints)
        first = tidy[tidy["endpoint"] == chosen[0]] if len(tidy) else tidy
        wide = first[keys].reset_index(drop=True)
        for name in chosen:
            endpoint = self.endpoints[name]
            rows = tidy[tidy["endpoint"] == name].reset_index(drop=True)
            source = {"prediction": "value", "probability": "value", "lower": "lower",
                      "upper": "upper", "nearest_similarity": "nearest_similarity",
                      "in_domain": "in_domain"}  # fmt: skip
            for column in model_columns(name, endpoint.task):
                wide[column] = rows[source[column[len(name) + 1 :]]].to_numpy()
            if percentiles:
                wide[f"{name}_percentile_vs_approved_drugs"] = rows[
                    "percentile_vs_approved_drugs"
                ].to_numpy()
        return wide

    def endpoint_names(self, endpoints: Iterable[str] | str | None = None) -> list[str]:
        """The names of ``endpoints`` (default: every endpoint of the panel), checked."""
        if endpoints is None:
            return list(self.endpoints)
        names = [e.name for e in _resolve_endpoints(endpoints)]
        absent = [n for n in names if n not in self.endpoints]
        if absent:
            raise UnknownEndpointError(
                f"Endpoint(s) {absent} are not in this panel; it has {list(self.endpoints)}"
            )
        return names

    @staticmethod
    def _standardize(smiles: Any) -> pd.DataFrame:
        import pandas as pd

        from drugml.chem import standardize

        if isinstance(smiles, str):
            smiles = [smiles]  # one SMILES is one molecule here, not a list of characters
        if isinstance(smiles, pd.DataFrame):
            return standardize(smiles, progress=False).reset_index(drop=True)
        return standardize(list(smiles), progress=False)


def load_panel(directory: str | Path, strict_versions: bool = True) -> AdmetPanel:
    """Load a panel :func:`train_panel` wrote (JSON and the models' safe formats; no pickle).

    >>> panel = load_panel("models/admet")  # doctest: +SKIP
    >>> panel.predict(["CC(=O)Oc1ccccc1C(=O)O"])  # doctest: +SKIP
    """
    from drugml.models import ModelLoadError, PropertyModel

    directory = Path(directory)
    file = directory / PANEL_FILE
    if not file.is_file():
        raise PanelLoadError(f"{directory} is not an ADMET panel: no {PANEL_FILE} "
                             "(train one with `drugml admet train --out DIR`)")  # fmt: skip
    try:
        info = json.loads(file.read_text())
    except json.JSONDecodeError as exc:
        raise PanelLoadError(f"{file} is not valid JSON: {exc}") from exc
    if info.get("format_version") != PANEL_FORMAT_VERSION:
        raise PanelLoadError(
            f"{file} has format version {info.get('format_version')!r}; this drugml "
            f"({__version__}) reads {PANEL_FORMAT_VERSION}. Retrain it."
        )
    known = {f.name for f in fields(Endpoint)}
    endpoints, models = {}, {}
    for name in info["endpoints"]:
        row = info["endpoint_table"][name]
        endpoints[name] = Endpoint(**{k: v for k, v in row.items() if k in known})
        model_dir = directory / info["models"][name]["directory"]
        try:
            models[name] = PropertyModel.load(model_dir, strict_versions=strict_versions)
        except ModelLoadError as exc:
            raise PanelLoadError(f"Model of endpoint {name!r} in {model_dir}: {exc}") from exc
    quantiles = info["reference"]["quantiles"]
    return AdmetPanel(endpoints, models, quantiles, info, directory)
