"""The structure-based scorers' measured worth as a figure
(:func:`plot_scorer_evidence`): every scorer's ROC-AUC beside the baselines, and how the
model and the consensus scores change as the model's training data shrink.

Example
-------
>>> from drugml.structure.scoring import scoring_evidence
>>> fig = plot_scorer_evidence(scoring_evidence())
>>> [ax.get_title() for ax in fig.axes]
['every scorer, model on all data', 'the low-data regime']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from drugml.viz._plots import ACCENT_COLOR, PRIMARY_COLOR, VisualizationError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["LOW_DATA_SCORERS", "plot_scorer_evidence"]

#: The scores followed across training-set sizes (right panel).
LOW_DATA_SCORERS = (
    "model", "similarity_2d", "pharmacophore_similarity", "interaction_similarity",
    "consensus_structure_model", "consensus_all",
)  # fmt: skip


def _roc_auc(regime: Mapping[str, Any], name: str) -> float:
    return float(regime[name]["roc_auc"])


def plot_scorer_evidence(
    evidence: Mapping[str, Any], low_data_scorers: Sequence[str] = LOW_DATA_SCORERS
) -> Figure:
    """Two panels from :func:`drugml.structure.scoring.scoring_evidence`: left, every
    scorer's ROC-AUC with the model trained on all data, on the whole set and on the actives
    least like the reference ligand (0.5: chance, grey line); right, ROC-AUC against the
    number of compounds the model was trained on, for ``low_data_scorers``."""
    import matplotlib.pyplot as plt

    try:
        full, unlike = evidence["a_all_data"], evidence["c_unlike_reference"]
        low = evidence["b_low_data"]
    except KeyError as exc:
        raise VisualizationError(f"plot_scorer_evidence: the evidence lacks {exc}") from None
    order = sorted(full, key=lambda name: _roc_auc(full, name))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    rows = range(len(order))
    n_all = evidence["actives"] + evidence["inactives"]
    for shift, regime, color, label in (
        (0.2, full, PRIMARY_COLOR, f"all {n_all}"),
        (-0.2, unlike["all"], ACCENT_COLOR, f"{unlike['actives']} actives unlike the reference"),
    ):
        values = [_roc_auc(regime, name) for name in order]
        left.barh([i + shift for i in rows], values, 0.4, color=color, label=label)
    left.set_yticks(list(rows), order, fontsize=8)
    left.axvline(0.5, color="grey", linewidth=0.8)
    left.set(xlabel="ROC-AUC", xlim=(0.3, 1.0), title="every scorer, model on all data")
    left.legend(frameon=False, loc="lower right", fontsize=8)
    sizes = [*sorted(low, key=int), "all"]
    for name in low_data_scorers:
        values = [_roc_auc(low[s] if s != "all" else full, name) for s in sizes]
        right.plot(sizes, values, marker="o", label=name)
    right.set(xlabel="compounds the model was trained on", ylabel="ROC-AUC", ylim=(0.4, 1.0))
    right.set_title("the low-data regime")
    right.legend(frameon=False, fontsize=8)
    fig.suptitle(
        f"{evidence['target']}: {evidence['actives']} actives and {evidence['inactives']} "
        f"inactives matched in {evidence['matched_on']}",
        fontsize=9,
    )
    fig.tight_layout()
    return fig
