"""Diversion pathways: the partner-agency directory and the fewest-agencies matcher.

The public API that force systems import. Everything here is re-exported from the ``directory``
and ``matching`` layers; import from ``pathways`` and the layers may move underneath.

>>> import pathways
>>> d = pathways.load()
>>> len(d.districts)
6
"""

from __future__ import annotations

from directory.dumping import dump
from directory.errors import (
    AssessmentError,
    CapacityError,
    DataError,
    InvalidArgumentError,
    LedgerError,
    NotFoundError,
    PathwaysError,
    PlaceFullError,
    UnknownNeedError,
    UnknownPlaceError,
)
from directory.graph import to_graph
from directory.interpret import Interpretation
from directory.loading import default_path, load, read_directory, validate
from directory.models import (
    Agency,
    Capacity,
    Directory,
    District,
    Eligibility,
    Need,
    Pathway,
    Site,
)
from directory.oruk import export_json, export_tables, import_oruk
from directory.places import Gazetteer, Locality, distance_km
from directory.problems import Problem, Report
from directory.search import Hit, search
from directory.taxonomy import Resolution, Taxonomy
from matching.assessment import Assessment, assess
from matching.batch import match_many
from matching.capacity import Availability, AvailabilitySource, Ledger, NominalCapacity
from matching.cases import (
    AuditEntry,
    Case,
    Condition,
    ConditionSpec,
    DueItem,
    all_cases,
    audit_trail,
    breaches,
    change_due,
    default_due,
    due,
    get_case,
    open_case,
    record_statement,
    set_condition,
)
from matching.compliance import ComplianceReport, compliance_report
from matching.cover import best_cover, greedy_cover, is_cover
from matching.demand import Demand, DemandKey, demand_from_people, read_counts, synthetic_cohort
from matching.gaps import GapResult, gaps
from matching.match import Matcher, match
from matching.outcomes import outcomes
from matching.periods import period_of
from matching.plan import Plan
from matching.scenarios import Scenario, agency_losses, single_points_of_failure
from matching.scenarios import run as run_scenario
from pathways.gaps_report import gap_chart

__all__ = [
    "Agency",
    "Assessment",
    "AssessmentError",
    "AuditEntry",
    "Availability",
    "AvailabilitySource",
    "Capacity",
    "CapacityError",
    "Case",
    "ComplianceReport",
    "Condition",
    "ConditionSpec",
    "DataError",
    "Demand",
    "DemandKey",
    "Directory",
    "District",
    "DueItem",
    "Eligibility",
    "GapResult",
    "Gazetteer",
    "Hit",
    "Interpretation",
    "InvalidArgumentError",
    "Ledger",
    "LedgerError",
    "Locality",
    "Matcher",
    "Need",
    "NominalCapacity",
    "NotFoundError",
    "Pathway",
    "PathwaysError",
    "PlaceFullError",
    "Plan",
    "Problem",
    "Report",
    "Resolution",
    "Scenario",
    "Site",
    "Taxonomy",
    "UnknownNeedError",
    "UnknownPlaceError",
    "agency_losses",
    "all_cases",
    "assess",
    "audit_trail",
    "best_cover",
    "breaches",
    "change_due",
    "compliance_report",
    "default_due",
    "default_path",
    "demand_from_people",
    "distance_km",
    "due",
    "dump",
    "export_json",
    "export_tables",
    "gap_chart",
    "gaps",
    "get_case",
    "greedy_cover",
    "import_oruk",
    "is_cover",
    "load",
    "match",
    "match_many",
    "open_case",
    "outcomes",
    "period_of",
    "read_counts",
    "read_directory",
    "record_statement",
    "run_scenario",
    "search",
    "set_condition",
    "single_points_of_failure",
    "synthetic_cohort",
    "to_graph",
    "validate",
]
