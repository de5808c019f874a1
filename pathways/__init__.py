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
    "Availability",
    "AvailabilitySource",
    "Capacity",
    "CapacityError",
    "DataError",
    "Demand",
    "DemandKey",
    "Directory",
    "District",
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
    "assess",
    "best_cover",
    "default_path",
    "demand_from_people",
    "distance_km",
    "dump",
    "export_json",
    "export_tables",
    "gap_chart",
    "gaps",
    "greedy_cover",
    "import_oruk",
    "is_cover",
    "load",
    "match",
    "match_many",
    "outcomes",
    "period_of",
    "read_counts",
    "read_directory",
    "run_scenario",
    "search",
    "single_points_of_failure",
    "synthetic_cohort",
    "to_graph",
    "validate",
]
