"""Diversion pathways: the partner-agency directory and the fewest-agencies matcher.

The public API that force systems import. Everything here is re-exported from the ``directory``
and ``matching`` layers; import from ``pathways`` and the layers may move underneath.

>>> import pathways
>>> d = pathways.load()
>>> len(d.districts)
6
"""

from __future__ import annotations

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
from directory.problems import Problem, Report
from directory.search import Hit, search

__all__ = [
    "Agency",
    "AssessmentError",
    "Capacity",
    "CapacityError",
    "DataError",
    "Directory",
    "District",
    "Eligibility",
    "Hit",
    "InvalidArgumentError",
    "LedgerError",
    "Need",
    "NotFoundError",
    "Pathway",
    "PathwaysError",
    "PlaceFullError",
    "Problem",
    "Report",
    "Site",
    "UnknownNeedError",
    "UnknownPlaceError",
    "default_path",
    "load",
    "read_directory",
    "search",
    "validate",
]
