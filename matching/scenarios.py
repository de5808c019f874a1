"""What-if questions for planners: scenarios against a baseline, and resilience.

A :class:`Scenario` changes the directory or the assumptions: remove agencies or pathways, set a
pathway's places, add a pathway, change everyone's travel limit. :func:`apply` makes the changed
directory (a new snapshot: the baseline is never changed), :func:`run` allocates the same demand
to both and :func:`compare` lists the cells (need x district) that get worse or better.

Resilience asks two questions of a baseline:

* :func:`single_points_of_failure`: the needs in a district whose demand only one agency can take
  (counting agencies with places, or no recorded limit, in reach of that demand);
* :func:`agency_losses`: how much more demand would go unmet if each agency were lost, worst
  first. Losing an agency is the same flow problem as giving its pathways no places, so each loss
  re-solves the baseline network with those capacities set to 0 (same answer as rebuilding
  without the agency: the test suite checks it), and agencies that take nobody in the baseline
  are skipped (losing them cannot change the maximum).

>>> from directory.loading import load
>>> from matching.demand import demand_from_people, synthetic_cohort
>>> d = load()
>>> demand = demand_from_people(synthetic_cohort(d, 350, seed=1), period="2026-11")
>>> outcome = run(d, demand, Scenario(name="no CGL", without_agencies=("cgl-cambridgeshire",)))
>>> outcome.result.met <= outcome.baseline.met
True
>>> "cgl-cambridgeshire" in {u.agency for u in outcome.result.pathways}
False
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from directory.errors import DataError, InvalidArgumentError, NotFoundError
from directory.loading import validate
from directory.models import Capacity, Directory
from directory.rules import did_you_mean
from matching.flow import allocate
from matching.gaps import GapResult, gaps, summarise

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from directory.models import Agency, Pathway
    from matching.demand import Demand
    from matching.flow import Engine
    from matching.periods import Period

__all__ = [
    "AgencyLoss",
    "CellChange",
    "Scenario",
    "ScenarioResult",
    "SinglePoint",
    "agency_losses",
    "apply",
    "compare",
    "run",
    "single_points_of_failure",
]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A change to test against the baseline; the empty scenario changes nothing.

    ``places`` sets a pathway's places (in its own period; a pathway without a capacity gets
    monthly places); ``add_pathways`` adds ``(agency id, pathway)`` pairs; ``travel_km`` replaces
    everyone's travel limit.
    """

    name: str = "scenario"
    without_agencies: tuple[str, ...] = ()
    without_pathways: tuple[str, ...] = ()
    places: Mapping[str, int] = field(default_factory=dict)
    add_pathways: tuple[tuple[str, Pathway], ...] = ()
    travel_km: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "places", MappingProxyType(dict(self.places)))  # read-only

    def describe(self) -> str:
        """The changes in words.

        >>> Scenario(without_agencies=("casus",), places={"p": 4}, travel_km=10).describe()
        'without casus; p: 4 places; travel limit 10 km'
        """
        parts = [f"without {a}" for a in self.without_agencies]
        parts += [f"without pathway {p}" for p in self.without_pathways]
        parts += [f"{p}: {n} places" for p, n in sorted(self.places.items())]
        parts += [f"add {p.id} ({a})" for a, p in self.add_pathways]
        if self.travel_km is not None:
            parts.append(f"travel limit {self.travel_km:g} km")
        return "; ".join(parts) or "no change"


def _rebuild(directory: Directory, agencies: Iterable[Agency]) -> Directory:
    """A new snapshot with other agencies (look-ups computed afresh: never ``model_copy``,
    which would carry the old snapshot's cached look-ups along)."""
    fields = {name: getattr(directory, name) for name in Directory.model_fields}
    fields["agencies"] = tuple(agencies)
    return Directory(**fields)


def apply(directory: Directory, scenario: Scenario) -> Directory:
    """The directory with the scenario's changes (the travel limit is not a directory change).

    Raises :class:`~directory.errors.NotFoundError` (with suggestions) for an unknown agency or
    pathway, :class:`~directory.errors.InvalidArgumentError` for negative places and
    :class:`~directory.errors.DataError` when an added pathway breaks the directory's rules.

    >>> from directory.loading import load
    >>> d = load()
    >>> changed = apply(d, Scenario(places={"gamcare-treatment": 0}))
    >>> changed.pathway_by_id["gamcare-treatment"].capacity.places
    0
    >>> apply(d, Scenario(without_agencies=("casuss",)))
    Traceback (most recent call last):
    ...
    directory.errors.NotFoundError: unknown agency 'casuss'; did you mean 'casus'?
    """
    for a in scenario.without_agencies:
        if a not in directory.agency_by_id:
            raise NotFoundError("agency", a, did_you_mean(a, directory.agency_by_id))
    for p in (*scenario.without_pathways, *scenario.places):
        if p not in directory.pathway_by_id:
            raise NotFoundError("pathway", p, did_you_mean(p, directory.pathway_by_id))
    for p, n in scenario.places.items():
        if n < 0:
            raise InvalidArgumentError(f"places must be 0 or more, not {n} ({p})")
    for a, _ in scenario.add_pathways:
        if a not in directory.agency_by_id:
            raise NotFoundError("agency", a, did_you_mean(a, directory.agency_by_id))
    gone = set(scenario.without_pathways)
    added: dict[str, list[Pathway]] = {}
    for a, new in scenario.add_pathways:
        added.setdefault(a, []).append(new)
    agencies: list[Agency] = []
    for agency in directory.agencies:
        if agency.id in scenario.without_agencies:
            continue
        pathways = [_with_places(agency, p, scenario.places.get(p.id)) for p in agency.pathways]
        pathways = [p for p in pathways if p.id not in gone] + added.get(agency.id, [])
        if not pathways:
            continue  # an agency needs a pathway; without any it is gone too
        if tuple(pathways) != agency.pathways:
            agency = agency.model_copy(update={"pathways": tuple(pathways)})
        agencies.append(agency)
    changed = _rebuild(directory, agencies)
    if scenario.add_pathways:
        report = validate(changed)
        if not report.ok:
            raise DataError(report)
    return changed


def _with_places(agency: Agency, pathway: Pathway, places: int | None) -> Pathway:
    if places is None:
        return pathway
    capacity = pathway.capacity
    if capacity is None:
        capacity = Capacity(
            places=places, per="month", updated=agency.last_verified or date.today()
        )
    else:
        capacity = capacity.model_copy(update={"places": places})
    return pathway.model_copy(update={"capacity": capacity})


# ------------------------------------------------------------------------------------ compare
@dataclass(frozen=True, slots=True)
class CellChange:
    """One need in one district, before and after."""

    need: str
    district: str
    demand: int
    met_before: int
    met_after: int

    @property
    def change(self) -> int:
        """Units met after minus before: negative is worse."""
        return self.met_after - self.met_before


def compare(baseline: GapResult, other: GapResult) -> tuple[CellChange, ...]:
    """The cells whose met demand differs, worst first (then need, district).

    Both results must allocate the same demand (the same cells, the same counts).

    >>> from directory.loading import load
    >>> from matching.demand import Demand, DemandKey
    >>> d = load()
    >>> demand = Demand.of([(DemandKey("fenland", "gambling"), 600)], period="2026-11")
    >>> before = gaps(d, demand)
    >>> after = gaps(apply(d, Scenario(places={"gamcare-helpline": 0})), demand)
    >>> [(c.need, c.district, c.met_before, c.met_after) for c in compare(before, after)]
    [('gambling', 'fenland', 600, 10)]
    """
    before = {(c.need, c.district): c for c in baseline.cells}
    after = {(c.need, c.district): c for c in other.cells}
    if before.keys() != after.keys() or any(before[k].demand != after[k].demand for k in before):
        raise InvalidArgumentError("the two results do not allocate the same demand")
    changes = [
        CellChange(k[0], k[1], before[k].demand, before[k].met, after[k].met)
        for k in sorted(before)
        if before[k].met != after[k].met
    ]
    return tuple(sorted(changes, key=lambda c: (c.change, c.need, c.district)))


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """A scenario, the baseline and the scenario's allocations, and the cells that changed."""

    scenario: Scenario
    baseline: GapResult
    result: GapResult
    changes: tuple[CellChange, ...]

    def worse(self) -> tuple[CellChange, ...]:
        """Cells with less demand met, worst first."""
        return tuple(c for c in self.changes if c.change < 0)

    def better(self) -> tuple[CellChange, ...]:
        """Cells with more demand met, best first."""
        return tuple(sorted((c for c in self.changes if c.change > 0), key=lambda c: -c.change))


def run(
    directory: Directory,
    demand: Demand,
    scenario: Scenario,
    *,
    period: str | Period | None = None,
    engine: Engine = "auto",
    baseline: GapResult | None = None,
) -> ScenarioResult:
    """Allocate ``demand`` to the baseline and to the scenario's directory, and compare.

    Pass ``baseline`` when it is already computed (same demand and period).
    """
    if baseline is None:
        baseline = gaps(directory, demand, period=period, engine=engine)
    changed = apply(directory, scenario)
    result = gaps(changed, demand, period=period, travel_km=scenario.travel_km, engine=engine)
    return ScenarioResult(scenario, baseline, result, compare(baseline, result))


# ------------------------------------------------------------------------------------ resilience
@dataclass(frozen=True, slots=True)
class SinglePoint:
    """A need in a district whose demand only one agency can take."""

    need: str
    district: str
    agency: str
    demand: int


def single_points_of_failure(result: GapResult) -> tuple[SinglePoint, ...]:
    """The cells with demand that exactly one agency (with places in reach) can take.

    Sorted by demand, largest first, then need and district. A cell no agency can take is a gap,
    not a single point of failure, and is not listed.

    >>> from directory.loading import load
    >>> from matching.demand import Demand, DemandKey
    >>> d = load()
    >>> r = gaps(d, Demand.of([(DemandKey("fenland", "gambling"), 6)], period="2026-11"))
    >>> [(s.need, s.agency) for s in single_points_of_failure(r)]
    [('gambling', 'gamcare')]
    """
    found = [
        SinglePoint(c.need, c.district, c.agencies[0], c.demand)
        for c in result.cells
        if len(c.agencies) == 1
    ]
    return tuple(sorted(found, key=lambda s: (-s.demand, s.need, s.district)))


@dataclass(frozen=True, slots=True)
class AgencyLoss:
    """What losing one agency would cost: units no longer met, and the cells hit hardest."""

    agency: str
    unmet_added: int
    cells: tuple[CellChange, ...]


def agency_losses(
    directory: Directory,
    baseline: GapResult,
    *,
    top: int | None = 5,
    engine: Engine = "auto",
) -> tuple[AgencyLoss, ...]:
    """The agencies whose loss would leave the most demand unmet, worst first (then id).

    ``baseline`` is the result of :func:`~matching.gaps.gaps` on ``directory``; ``top`` limits the
    answer (``None``: every agency that takes anyone). One re-solve per agency that takes anyone.

    >>> from directory.loading import load
    >>> from matching.demand import Demand, DemandKey
    >>> d = load()
    >>> r = gaps(d, Demand.of([(DemandKey("fenland", "gambling"), 6)], period="2026-11"))
    >>> [(x.agency, x.unmet_added) for x in agency_losses(d, r)]
    [('gamcare', 6)]
    """
    if top is not None and top < 0:
        raise InvalidArgumentError(f"top must be 0 or more, not {top}")
    net = baseline.network
    used = {u.agency for u in baseline.pathways if u.allocated > 0}
    losses: list[AgencyLoss] = []
    for agency in sorted(used):
        capacity = tuple(
            0 if a == agency else c for a, c in zip(net.agencies, net.network.capacity, strict=True)
        )
        cut = dataclasses.replace(net, network=dataclasses.replace(net.network, capacity=capacity))
        result = summarise(directory, cut, allocate(cut.network, engine=engine))
        changes = tuple(c for c in compare(baseline, result) if c.change < 0)
        losses.append(AgencyLoss(agency, baseline.met - result.met, changes))
    losses.sort(key=lambda x: (-x.unmet_added, x.agency))
    return tuple(losses if top is None else losses[:top])
