"""The ADMET panel's endpoints: one table, :data:`ENDPOINTS`, a row (an :class:`Endpoint`) per
endpoint, TDC's metric for each (:func:`tdc_score`), where a value sits among the approved
drugs' predictions (:func:`percentile_of`), and the panel's errors.

>>> ENDPOINTS["caco2_wang"].value_column
'caco2_wang_prediction'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.errors import DrugmlError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ENDPOINTS",
    "AdmetError",
    "Endpoint",
    "PanelLoadError",
    "UnknownEndpointError",
    "endpoint_table",
    "percentile_of",
    "resolve_endpoints",
    "tdc_score",
]


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
    and ``featurizer`` a featurizer preset (:data:`drugml.featurize.FEATURIZER_PRESETS`)
    (``None``: PropertyModel's defaults); ``benchmarks/admet_menu.py`` chooses them on
    scaffold-grouped folds of the training rows.
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
    #: A featurizer preset (drugml.featurize.FEATURIZER_PRESETS); None: PropertyModel's default.
    featurizer: str | None = None

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


_CYP = (
    "Veith, H. et al. Comprehensive characterization of cytochrome P450 isozyme selectivity "
    "across chemical libraries. Nat. Biotechnol. 27, 1050-1055 (2009)"
)
_AZ = (
    "AstraZeneca (Wenlock, M. & Tomkinson, N.). Experimental in vitro DMPK and "
    "physicochemical data on a set of publicly disclosed compounds. ChEMBL, "
    "doi:10.6019/CHEMBL3301361 (2016)"
)


#: The estimator of the large sets (AMES, the CYPs, PPBR: 2,200 to 10,500 training molecules).
#: PropertyModel's default menu costs about 2.5 times one XGBoost fit and, on these sets,
#: chose XGBoost anyway (benchmarks/admet.py); the smaller sets keep the menu.
_LARGE_SET_ESTIMATOR = "xgboost"
#: Rows whose featurizer and estimator benchmarks/admet_menu.py changed: a challenger on
#: MapLight's features beat the row's old choice on scaffold out-of-fold predictions of the
#: training rows by more than twice its bootstrap standard error
#: (benchmarks/results/admet_menu.json).
_MENU_CHOICE = {
    "ames": ("xgboost", "maplight"),
    "caco2_wang": ("lightgbm", "maplight"),
    "cyp3a4_veith": ("lightgbm", "maplight"),
    "cyp2d6_veith": ("lightgbm", "maplight"),
    "cyp2c9_veith": ("lightgbm", "maplight"),
    "hia_hou": ("xgboost", "maplight"),
}


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


def _chosen(endpoint: Endpoint) -> Endpoint:
    """The row with the estimator and featurizer of :data:`_MENU_CHOICE`, where it has one."""
    if endpoint.name not in _MENU_CHOICE:
        return endpoint
    estimator, featurizer = _MENU_CHOICE[endpoint.name]
    return replace(endpoint, estimator=estimator, featurizer=featurizer)


#: The panel's endpoints, by name. Leaderboard values: data/PROVENANCE.md ("admet/").
ENDPOINTS: dict[str, Endpoint] = {
    e.name: _chosen(e)
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


def resolve_endpoints(endpoints: Iterable[str] | str | None) -> list[Endpoint]:
    """The endpoints named (a list or ``"herg,ames"``; None: all), checked, each once."""
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
    metric = {
        "AUROC": roc_auc_score,
        "AUPRC": average_precision_score,
        "MAE": mean_absolute_error,
        "Spearman": lambda a, b: spearmanr(a, b).statistic,
    }[endpoint.tdc_metric]
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
