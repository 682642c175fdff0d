"""From raw bioactivity records (a ChEMBL export) to a per-compound modelling table.

:func:`read_chembl_activities` reads a ChEMBL activity table in either of the
two layouts ChEMBL hands out: the API/SQL one (``molecule_chembl_id``,
``standard_type``, ``standard_value`` ...; comma- or tab-separated, zipped or
not) or the CSV its web interface exports (semicolon-separated, headers such as
``"Molecule ChEMBL ID"`` and ``"Standard Value"``, relations quoted as ``'='``).
Either comes back in the API layout (:data:`CHEMBL_WEB_EXPORT_COLUMNS` says
which header becomes which column), ready for :func:`curate_bioactivities`.

:func:`curate_bioactivities` checks its input before any work (every column it
needs, with the closest name suggested for a missing one; every wanted
activity type, see :func:`activity_type_counts`), then runs these steps and
logs, for each, how many records it kept and how many it dropped and why.
Nothing disappears silently: ``raw rows = dropped at every step + records
kept``, and every dropped record is listed with its step and reason in
``result.rejected``. A curation that leaves fewer than two compounds raises
:class:`CurationError` naming the step where the records were lost.

1. **activity type**: keep the wanted type(s) (IC50 by default; Ki, Kd, EC50 ...).
2. **relation**: keep exact values (``=``); ``<``/``>`` values are censored.
3. **value present**: a numeric value is needed.
4. **exact duplicates**: a record repeated verbatim counts once.
5. **structure**: join a SMILES on the molecule id (ChEMBL activity dumps have none).
6. **standardize**: :func:`drugml.chem.standardize` (salts stripped, neutralized);
   unparsable structures are dropped with RDKit's reason.
7. **unit conversion** to nM: molar units by their factor, mass concentrations
   (ug/mL, ng/mL, mg/L) through the molecular weight of the tested structure
   (salt included, since that is what was weighed); other units are dropped.
8. **positive value**: the log of zero or a negative value is undefined.
9. **pX = 9 - log10(value / nM)** (pIC50 for IC50).
10. **aggregate** replicate measurements per standardized structure (InChIKey):
    median pX, count, standard deviation, range; a compound whose
    measurements span more than ``disagreement`` log units (default 1, i.e.
    ten-fold) is flagged, not dropped.
11. **label** active when pX >= ``active_threshold``. The default 6.3
    (IC50 <= 500 nM) is the cut-off TeachOpenCADD uses for EGFR; it sits near
    the median of kinase-inhibitor potencies, so it gives balanced classes,
    and 500 nM is a common bar for a validated hit.

:func:`curate_table` does the same for a plain table of SMILES and a value or
a label. Each curation takes its options as keywords or as one settings
object (:class:`CurationSettings`, :class:`TableCurationSettings`).

Example
-------
>>> from drugml import data
>>> from drugml.chem.curate import CurationSettings, curate_bioactivities, read_chembl_activities
>>> table, log = curate_bioactivities(  # doctest: +SKIP
...     data.load("egfr_bioactivities_raw"), structures=data.load("egfr_compounds"))
>>> raw = read_chembl_activities("DOWNLOAD-EGFR.csv")  # doctest: +SKIP
>>> table, log = curate_bioactivities(raw)  # the export carries its SMILES  # doctest: +SKIP
>>> strict = CurationSettings(activity_type=["IC50", "Ki"], active_threshold=7.0)
>>> strict.p_column
'pactivity'
"""

from __future__ import annotations

from drugml.chem.curate._bioactivities import curate_bioactivities
from drugml.chem.curate._chembl import (
    CHEMBL_WEB_EXPORT_COLUMNS,
    activity_type_counts,
    read_chembl_activities,
)
from drugml.chem.curate._log import (
    MIN_COMPOUNDS,
    CurationError,
    CurationOptionError,
    CurationResult,
    curation_summary,
)
from drugml.chem.curate._settings import CurationSettings, TableCurationSettings
from drugml.chem.curate._table import curate_table
from drugml.chem.curate._units import MASS_UNITS_G_PER_L, MOLAR_UNITS_NM, convert_to_nm

__all__ = [
    "CHEMBL_WEB_EXPORT_COLUMNS",
    "MASS_UNITS_G_PER_L",
    "MIN_COMPOUNDS",
    "MOLAR_UNITS_NM",
    "CurationError",
    "CurationOptionError",
    "CurationResult",
    "CurationSettings",
    "TableCurationSettings",
    "activity_type_counts",
    "convert_to_nm",
    "curate_bioactivities",
    "curate_table",
    "curation_summary",
    "read_chembl_activities",
]
