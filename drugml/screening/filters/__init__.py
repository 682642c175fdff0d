"""Drug-likeness and liabilities: physchem properties, rules of thumb and structural alerts.

:func:`druglikeness` adds every column in one call; each rule is also a
function of its own that takes an RDKit ``Mol``. The RDKit call behind each
column:

=================  ====================================================
column             RDKit
=================  ====================================================
``mw``             ``Descriptors.MolWt`` (average mass, g/mol)
``clogp``          ``Crippen.MolLogP`` (Wildman-Crippen)
``hbd``, ``hba``   ``rdMolDescriptors.CalcNumLipinskiHBD/HBA`` (NH+OH; N+O)
``tpsa``           ``rdMolDescriptors.CalcTPSA``
``rotatable_bonds````rdMolDescriptors.CalcNumRotatableBonds``
``aromatic_rings`` ``rdMolDescriptors.CalcNumAromaticRings``
``heavy_atoms``    ``Mol.GetNumHeavyAtoms``
``formal_charge``  ``Chem.GetFormalCharge``
``qed``            ``QED.qed`` (Bickerton et al. 2012)
``sa_score``       RDKit Contrib ``sascorer`` (Ertl & Schuffenhauer 2009; 1 easy .. 10 hard)
=================  ====================================================

Rules:

- **Lipinski Ro5** (Lipinski 1997): MW <= 500, cLogP <= 5, HBD <= 5, HBA <= 10;
  ``ro5_pass`` allows one violation, as Lipinski's paper does.
- **Veber** (Veber 2002): rotatable bonds <= 10 and TPSA <= 140.
- **Lead-likeness** (Teague/Oprea, as used by ZINC): 250 <= MW <= 350,
  cLogP <= 3.5, rotatable bonds <= 7.
- **Structural alerts** with RDKit's ``FilterCatalog``: PAINS A/B/C (Baell &
  Holloway 2010), Brenk (2008) and NIH (Jadhav 2010); the ``*_alerts``
  columns name every matched alert.

Speed: checking ~765 alert SMARTS and QED's 116 alerts one by one is most of
a screen's time. :func:`druglikeness` and :func:`structural_alerts` therefore
take the catalogues' own query molecules (read from each entry's RDKit
serialization, so they are exactly RDKit's patterns) and first screen them:
a query needing an atom or bond the molecule lacks, or more atoms (bonds) of
a kind than the molecule has, cannot match and is skipped; an alert written
twice (Brenk's and QED's share some) is tried once. The result is the same as
``FilterCatalog.GetMatches`` and ``QED.qed`` (checked by the tests on the
embedded data); if an RDKit version serializes its catalogue differently,
the plain ``FilterCatalog`` is used.

Inside: ``_properties`` (properties and rules of thumb), ``_catalogs`` (RDKit's
alert catalogues and their queries), ``_query_screen`` (the alert screen
engine), ``_alerts`` (alerts and QED), ``_sa_score`` and ``_druglikeness``
(every column of many molecules).

Example
-------
>>> from drugml.screening.filters import druglikeness
>>> table = druglikeness(["CC(=O)Oc1ccccc1C(=O)O"])
>>> row = table.iloc[0]
>>> round(float(row.mw), 2), int(row.ro5_violations), bool(row.ro5_pass), row.brenk_alerts
(180.16, 0, True, 'phenol_ester')
"""

from __future__ import annotations

from drugml.schema import ALERT_CATALOGS  # the catalogues' one owner
from drugml.screening.filters._alerts import alert_matches, qed, structural_alerts
from drugml.screening.filters._catalogs import UnknownAlertCatalogError
from drugml.screening.filters._druglikeness import druglikeness, druglikeness_rows
from drugml.screening.filters._properties import (
    PROPERTY_COLUMNS,
    leadlike,
    lipinski,
    properties,
    property_rows,
    veber,
)
from drugml.screening.filters._sa_score import possible_stereocentres, sa_score

__all__ = [
    "ALERT_CATALOGS",
    "PROPERTY_COLUMNS",
    "UnknownAlertCatalogError",
    "alert_matches",
    "druglikeness",
    "druglikeness_rows",
    "leadlike",
    "lipinski",
    "possible_stereocentres",
    "properties",
    "property_rows",
    "qed",
    "sa_score",
    "structural_alerts",
    "veber",
]
