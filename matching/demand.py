"""Demand for planners: counts of needs by district and period, from a cohort or a table.

A :class:`Demand` is a table of counts for one period. Each row is a :class:`DemandKey` (the
district, one need, and the facts that decide eligibility and reach) and a count of units: a
person with three needs is three units of demand, one per need. Three ways in:

* :func:`demand_from_people`: a cohort of assessments (the people of batch matching, see
  :mod:`matching.cohort`), counted by their facts. Nothing about a person is kept but these facts,
  and only as counts;
* :func:`read_counts`: a CSV table of counts, ``district,need,period,count`` and optionally the
  facts ``age``, ``gender``, ``offence``, ``disposal``, ``cohorts`` (``;``-separated),
  ``travel_km`` and ``accept_remote``. A row without ``age`` counts people as *adults of unknown
  age* (eligible where a pathway admits every age from 18 to 65). Every problem is reported at
  once, with file, line and hint (:class:`~directory.errors.DataError`);
* :func:`synthetic_cohort`: made-up people for examples, docs and benchmarks (below).

Synthetic cohorts
-----------------
:func:`synthetic_cohort` draws ``n_people`` seeded people for one period, calibrated on published
figures (``docs/gaps.md`` lists the sources) and marked guesses where none were found:

========================= ====================================================================
fact                      how it is drawn
========================= ====================================================================
district                  in proportion to the population of its towns in ``localities.yaml``
                          (equal shares when no population is recorded); the person is placed
                          at a town of the district, drawn by population
age                       10% aged 10 to 17 [guess from WMP: 25-30% of community resolutions
                          were under 18], the rest 18 to 65 with most in their twenties and
                          thirties (a triangular draw peaking at 24)
gender                    74% male, 25% female, 1% non-binary [guess]
disposal                  adults: 65% community resolution, 35% conditional caution (the CR
                          share nationally); under 18: youth caution 40%, youth conditional
                          caution 20%, community resolution 40% [guess]
needs per person          1 to 4, weights 35/35/20/10 [guess: lower need than the probation
                          caseload]
which needs               OASys-based weights towards drugs, alcohol, mental health,
                          accommodation and employment (:data:`NEED_WEIGHTS`)
offence, cohorts          weights in :data:`OFFENCE_WEIGHTS`, :data:`COHORT_RATES` [guess]
travel, remote delivery   25 km; 85% accept phone or online delivery [guess]
========================= ====================================================================

The scale: the Cambridgeshire Diversion Suite diverts about 350 people a month (4,200 a year);
England and Wales issue more than 200,000 out-of-court disposals a year.

>>> from directory.loading import load
>>> d = load()
>>> people = synthetic_cohort(d, 350, seed=1, period="2026-11")
>>> len(people), all(1 <= len(p.needs) <= 4 for p in people)
(350, True)
>>> demand = demand_from_people(people, period="2026-11")
>>> demand.total == sum(len(p.needs) for p in people)
True
"""

from __future__ import annotations

import csv
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from directory.csvsafe import csv_rows, escape_cell, escape_row, read_csv_text
from directory.errors import DataError, InvalidArgumentError, UnknownNeedError
from directory.interpret import resolve_need
from directory.models import COHORTS, DISPOSAL_ALIASES, DISPOSALS, GENDERS, OFFENCES
from directory.problems import Problem, Report
from directory.taxonomy import Taxonomy
from matching.eligibility import EligibilityFacts
from matching.periods import parse_period

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

    from directory.models import Directory

__all__ = [
    "COHORT_RATES",
    "COUNT_COLUMNS",
    "DEFAULT_TRAVEL_KM",
    "NEED_WEIGHTS",
    "OFFENCE_WEIGHTS",
    "Demand",
    "DemandKey",
    "DemandPerson",
    "SyntheticPerson",
    "demand_from_people",
    "period_kind",
    "read_counts",
    "synthetic_cohort",
    "write_cohort",
    "write_counts",
]

#: How far people travel when nothing is said (the assessment's default).
DEFAULT_TRAVEL_KM = 25.0

#: Columns of a counts table: the four required, then the optional facts.
COUNT_COLUMNS: tuple[str, ...] = (
    "district",
    "need",
    "period",
    "count",
    "age",
    "gender",
    "offence",
    "disposal",
    "cohorts",
    "travel_km",
    "accept_remote",
)
_REQUIRED = COUNT_COLUMNS[:4]

#: Relative weights of needs in synthetic cohorts (OASys shares and the scheme's own lists,
#: ``domain.md`` section 5); needs not listed weigh 1.
NEED_WEIGHTS: dict[str, int] = {
    "drugs": 10,
    "alcohol": 9,
    "mental_health": 9,
    "accommodation": 8,
    "employment": 7,
    "thinking_attitudes": 6,
    "debt": 6,
    "benefits_income": 5,
    "anger_management": 5,
    "education_training": 4,
    "lifestyle_associates": 4,
    "emotional_wellbeing_counselling": 4,
    "family_relationships": 3,
    "domestic_abuse_perpetrator": 3,
    "domestic_abuse_victim": 3,
    "offence_specific_awareness": 3,
    "mentoring": 3,
    "physical_health": 2,
    "neurodiversity_learning_disability": 2,
    "logistical_support": 2,
    "gambling": 1,
    "sex_work_exploitation": 1,
}
#: Relative weights of offences in synthetic cohorts [guess: the offences the Suite names first].
OFFENCE_WEIGHTS: dict[str, int] = {
    "shoplifting": 16,
    "theft": 10,
    "drug_possession": 16,
    "public_order": 10,
    "violence": 14,
    "criminal_damage": 9,
    "domestic_abuse": 8,
    "stalking_harassment": 3,
    "burglary": 2,
    "robbery": 1,
    "hate_crime": 2,
    "fraud": 3,
    "weapons": 2,
    "motoring": 2,
    "other": 2,
}
#: Chance that a synthetic person belongs to each cohort [guess].
COHORT_RATES: dict[str, float] = {
    "veteran": 0.02,
    "care_leaver": 0.04,
    "prison_leaver": 0.02,
    "young_carer": 0.01,
    "no_recourse_to_public_funds": 0.005,
    "sex_worker": 0.005,
    "rough_sleeper": 0.03,
}
_NEEDS_PER_PERSON = {1: 35, 2: 35, 3: 20, 4: 10}
_GENDERS = {"male": 74, "female": 25, "non_binary": 1}
_ADULT_DISPOSALS = {"community_resolution": 65, "conditional_caution": 35}
_YOUTH_DISPOSALS = {
    "youth_caution": 40,
    "youth_conditional_caution": 20,
    "community_resolution": 40,
}
_YOUTH_SHARE = 0.10
_ACCEPT_REMOTE = 0.85


def period_kind(key: str) -> str:
    """The kind of a period key: ``week`` (2026-W48), ``month`` (2026-11), ``quarter`` (2026-Q4)
    or ``year`` (2026: a planning horizon, places counted as twelve months).

    >>> [period_kind(k) for k in ("2026-W48", "2026-11", "2026-Q4", "2026")]
    ['week', 'month', 'quarter', 'year']
    >>> period_kind("2026-13")
    Traceback (most recent call last):
    ...
    directory.errors.InvalidArgumentError: '2026-13' is not a period key (2026-W48, 2026-11, ...)
    """
    if len(key) == 4 and key.isdigit() and key[0] != "0":
        return "year"
    return parse_period(key).per


class DemandPerson(EligibilityFacts, Protocol):
    """What demand needs of a person (an :class:`~matching.assessment.Assessment` has it):
    the eligibility facts, and the needs, district and reach preferences below."""

    @property
    def needs(self) -> Collection[str]: ...

    @property
    def district(self) -> str: ...

    @property
    def travel_km(self) -> float: ...

    @property
    def accept_remote(self) -> bool: ...

    @property
    def met(self) -> Mapping[str, str]:
        """Needs already met by an agency working with the person (not new demand)."""
        ...


@dataclass(frozen=True, slots=True)
class DemandKey:
    """One need of people in one district with the same deciding facts.

    ``age`` is ``None`` for adults of unknown age (counts tables without an ``age`` column).
    """

    district: str
    need: str
    age: int | None = None
    gender: str | None = None
    offence: str | None = None
    disposal: str | None = None
    cohorts: tuple[str, ...] = ()
    travel_km: float = DEFAULT_TRAVEL_KM
    accept_remote: bool = True


def _order(k: DemandKey) -> tuple[object, ...]:
    """A sort key for demand keys (an unknown age sorts first)."""
    return (
        k.district,
        k.need,
        -1 if k.age is None else k.age,
        k.gender or "",
        k.offence or "",
        k.disposal or "",
        k.cohorts,
        k.travel_km,
        k.accept_remote,
    )


@dataclass(frozen=True, slots=True)
class Demand:
    """Counts of units of demand (one per person and need) for one period.

    Rows are kept sorted and merged (equal keys summed); zero counts are dropped.

    >>> d = Demand.of([(DemandKey("fenland", "debt"), 3), (DemandKey("fenland", "debt"), 4)],
    ...               period="2026-11")
    >>> d.total, d.rows
    (7, ((DemandKey(district='fenland', need='debt', age=None, ...), 7),))
    """

    rows: tuple[tuple[DemandKey, int], ...]
    period: str | None = None
    _cells: dict[tuple[str, str], int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cells: Counter[tuple[str, str]] = Counter()
        for key, count in self.rows:
            if count < 0:
                raise InvalidArgumentError(f"a count cannot be negative ({key.need}: {count})")
            cells[(key.need, key.district)] += count
        object.__setattr__(self, "_cells", dict(cells))

    @classmethod
    def of(cls, rows: Iterable[tuple[DemandKey, int]], *, period: str | None = None) -> Demand:
        """Demand from rows in any order, equal keys summed, zero counts dropped."""
        merged: Counter[DemandKey] = Counter()
        for key, count in rows:
            if count < 0:
                raise InvalidArgumentError(f"a count cannot be negative ({key.need}: {count})")
            merged[key] += count
        if period is not None:
            period_kind(period)
        kept = [(k, c) for k, c in merged.items() if c > 0]
        kept.sort(key=lambda kc: _order(kc[0]))
        return cls(tuple(kept), period)

    @property
    def total(self) -> int:
        """Units of demand (person-needs) in all."""
        return sum(c for _, c in self.rows)

    def cells(self) -> Mapping[tuple[str, str], int]:
        """Units of demand by (need, district)."""
        return self._cells

    def needs(self) -> tuple[str, ...]:
        """The needs with demand, sorted."""
        return tuple(sorted({k.need for k, _ in self.rows}))

    def districts(self) -> tuple[str, ...]:
        """The districts with demand, sorted."""
        return tuple(sorted({k.district for k, _ in self.rows}))


def demand_from_people(people: Iterable[DemandPerson], *, period: str | None = None) -> Demand:
    """Count a cohort: one unit per person and need, keyed by the facts that decide.

    A need already met by an agency working with the person (``met``) is not new demand and is
    not counted.

    >>> from matching.demand import SyntheticPerson
    >>> p = SyntheticPerson(needs=("debt", "drugs"), district="fenland", age=30)
    >>> sorted((k.need, c) for k, c in demand_from_people([p, p]).rows)
    [('debt', 2), ('drugs', 2)]
    """
    counts: Counter[tuple[object, ...]] = Counter()
    for p in people:
        met = p.met
        facts = (
            p.age,
            p.gender,
            p.offence,
            p.disposal,
            tuple(sorted(p.cohorts)),
            float(p.travel_km),
            bool(p.accept_remote),
        )
        for need in set(p.needs):
            if need not in met:
                counts[(p.district, need, *facts)] += 1
    rows = [(DemandKey(*key), count) for key, count in counts.items()]  # type: ignore[arg-type]
    return Demand.of(rows, period=period)


# ------------------------------------------------------------------------------ counts tables
def _problem(code: str, message: str, file: str, line: int, field_: str, hint: str = "") -> Problem:
    return Problem(code, message, file=file, line=line, field=field_, hint=hint)


def read_counts(path: str | Path, directory: Directory) -> dict[str, Demand]:
    """Read a counts table (CSV) into one :class:`Demand` per period, checking every row.

    Unknown districts and needs, malformed counts, periods and facts are all reported at once
    in a :class:`~directory.errors.DataError` (codes ``missing-field``, ``unknown-district``,
    ``unknown-need``, ``invalid-value``), each with the file, line and a hint.

    >>> import tempfile, pathlib
    >>> from directory.loading import load
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "counts.csv"
    ...     _ = path.write_text("district,need,period,count\\nfenland,debt,2026-11,12\\n"
    ...                         "fenland,dbet,2026-11,x\\n")
    ...     read_counts(path, load())
    Traceback (most recent call last):
    ...
    directory.errors.DataError: 2 problems in the directory:
      ...counts.csv:3: [invalid-value] count 'x' is not a whole number 0 or more
      ...counts.csv:3: [unknown-need] unknown need 'dbet'
    """
    file = str(path)
    problems: list[Problem] = []
    rows: dict[str, list[tuple[DemandKey, int]]] = {}
    taxonomy = Taxonomy.from_directory(directory)
    text = read_csv_text(path, problems, file=file)
    if text is None:
        raise DataError(Report.of(problems))
    lines = csv_rows(text, file, "invalid-value", problems)
    first = next(lines, None)
    header = [h.strip() for h in (first[1] if first is not None else [])]
    missing = [c for c in _REQUIRED if c not in header]
    unknown = [c for c in header if c not in COUNT_COLUMNS]
    for c in missing:
        problems.append(_problem("missing-field", f"no column {c!r}", file, 1, c))
    for c in unknown:
        problems.append(
            _problem(
                "unknown-key",
                f"unknown column {c!r}",
                file,
                1,
                c,
                f"Columns are {', '.join(COUNT_COLUMNS)}.",
            )
        )
    if missing:
        raise DataError(Report.of(problems))
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            problems.append(
                _problem(
                    "invalid-value",
                    f"{len(cells)} values where the header has {len(header)} columns",
                    file,
                    line,
                    header[-1],
                )
            )
            continue
        row = {k: v.strip() for k, v in zip(header, cells, strict=False)}
        found = _row(row, directory, file, line, taxonomy)
        if isinstance(found, list):
            problems.extend(found)
        else:
            period, key, count = found
            rows.setdefault(period, []).append((key, count))
    if problems:
        raise DataError(Report.of(problems))
    return {p: Demand.of(r, period=p) for p, r in sorted(rows.items())}


def _need(text: str, directory: Directory, taxonomy: Taxonomy) -> tuple[str | None, str]:
    """The need id a counts table's ``need`` names exactly (an id, label or synonym, as typed
    elsewhere), else None and a hint: a table of counts is data, so a misspelling is reported,
    never corrected (a corrected word would move counts between needs unseen).

    >>> from directory.loading import load
    >>> d = load()
    >>> t = Taxonomy.from_directory(d)
    >>> _need("Housing", d, t), _need("dbet", d, t)[0]
    (('accommodation', ''), None)
    """
    if text in directory.need_by_id:
        return text, ""
    try:
        reading = resolve_need(directory, text, taxonomy=taxonomy)
    except UnknownNeedError as err:
        near = ", ".join(repr(s) for s in err.suggestions)
        return None, f"Did you mean {near}? " if near else ""
    if reading.exact:
        return reading.read_as, ""
    return None, f"Did you mean {reading.read_as!r}? "


def _row(
    row: dict[str, str], directory: Directory, file: str, line: int, taxonomy: Taxonomy
) -> list[Problem] | tuple[str, DemandKey, int]:
    bad: list[Problem] = []

    def invalid(column: str, message: str, hint: str = "") -> None:
        bad.append(_problem("invalid-value", message, file, line, column, hint))

    district, need, period = row.get("district", ""), row.get("need", ""), row.get("period", "")
    if district not in directory.district_by_id:
        bad.append(
            _problem("unknown-district", f"unknown district {district!r}", file, line, "district")
        )
    need_id, hint = _need(need, directory, taxonomy)
    if need_id is None:
        bad.append(
            _problem(
                "unknown-need",
                f"unknown need {need!r}",
                file,
                line,
                "need",
                hint + "A counts table names each need exactly: its id, label or a synonym.",
            )
        )
    else:
        need = need_id
    try:
        period_kind(period)
    except InvalidArgumentError:
        invalid(
            "period",
            f"period {period!r} is not a period key",
            "Write 2026-W48, 2026-11, 2026-Q4 or 2026 (a year).",
        )
    count = _whole(row.get("count", ""))
    if count is None:
        invalid(
            "count",
            f"count {row.get('count', '')[:30]!r} is not a whole number 0 or more",
            f"Counts are whole numbers from 0 to {MAX_COUNT:,}.",
        )
    age = None
    if row.get("age"):
        age = _whole(row["age"])
        if age is None or not 10 <= age <= 120:
            invalid("age", f"age {row['age']!r} is not a whole number from 10 to 120")
    facts: dict[str, str | None] = {}
    for column, allowed in (("gender", GENDERS), ("offence", OFFENCES), ("disposal", DISPOSALS)):
        value = row.get(column) or None
        if column == "disposal" and value in DISPOSAL_ALIASES:
            value = DISPOSAL_ALIASES[value]  # deferred_prosecution: a conditional caution
        if value is not None and value not in allowed:
            invalid(column, f"{column} {value!r} is not one of {', '.join(allowed)}")
        facts[column] = value
    cohorts = tuple(sorted({c.strip() for c in (row.get("cohorts") or "").split(";") if c.strip()}))
    for c in cohorts:
        if c not in COHORTS:
            invalid("cohorts", f"cohort {c!r} is not one of {', '.join(COHORTS)}")
    travel = DEFAULT_TRAVEL_KM
    if row.get("travel_km"):
        try:
            travel = float(row["travel_km"])
        except ValueError:
            travel = -1.0
        if not (math.isfinite(travel) and travel >= 0):
            invalid("travel_km", f"travel_km {row['travel_km']!r} is not a distance in km")
    remote = (row.get("accept_remote") or "true").lower()
    if remote not in ("true", "false", "yes", "no", "1", "0"):
        invalid("accept_remote", f"accept_remote {remote!r} is not true or false")
    if bad or count is None:
        return bad
    key = DemandKey(
        district,
        need,
        age,
        facts["gender"],
        facts["offence"],
        facts["disposal"],
        cohorts,
        travel,
        remote in ("true", "yes", "1"),
    )
    return period, key, count


#: Largest count in a counts table (a national year is about 200,000 disposals).
MAX_COUNT = 10_000_000


def _whole(text: str) -> int | None:
    """A whole number from 0 to :data:`MAX_COUNT` written in ASCII digits, else None."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_COUNT)):
        return None
    number = int(text)
    return number if number <= MAX_COUNT else None


def write_counts(demand: Demand, path: str | Path) -> None:
    """Write demand as a counts table that :func:`read_counts` reads back.

    Counts are written as they are (this is an input file for planning, not a publication).

    >>> import tempfile, pathlib
    >>> from directory.loading import load
    >>> d = Demand.of([(DemandKey("fenland", "debt", age=30, cohorts=("veteran",)), 2)],
    ...               period="2026-11")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "counts.csv"
    ...     write_counts(d, path)
    ...     read_counts(path, load())["2026-11"] == d
    True
    """
    if demand.period is None:
        raise InvalidArgumentError("demand without a period cannot be written as a counts table")
    with Path(path).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COUNT_COLUMNS)
        for k, count in demand.rows:
            writer.writerow(
                escape_cell(cell) if isinstance(cell, str) else cell
                for cell in (
                    k.district,
                    k.need,
                    demand.period,
                    count,
                    "" if k.age is None else k.age,
                    k.gender or "",
                    k.offence or "",
                    k.disposal or "",
                    ";".join(k.cohorts),
                    f"{k.travel_km:g}",
                    "true" if k.accept_remote else "false",
                )
            )


# ------------------------------------------------------------------------------ synthetic cohorts
@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    """A made-up person: needs and the facts that decide, placed at a town. Nobody real."""

    needs: tuple[str, ...]
    district: str
    age: int
    gender: str | None = None
    offence: str | None = None
    disposal: str | None = None
    cohorts: frozenset[str] = frozenset()
    travel_km: float = DEFAULT_TRAVEL_KM
    accept_remote: bool = True
    town: str | None = None
    lat: float = 0.0
    lon: float = 0.0

    @property
    def met(self) -> Mapping[str, str]:
        """Needs already met by an engaged agency: none for a synthetic person."""
        return {}


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def synthetic_cohort(
    directory: Directory, n_people: int, seed: int = 0, *, period: str | None = None
) -> tuple[SyntheticPerson, ...]:
    """``n_people`` made-up people referred in one period, drawn as the module notes describe.

    Deterministic for a given directory, size and seed. ``period`` is only checked (a key such as
    ``2026-11``): the people carry no dates. Needs are drawn among the directory's needs; the
    district of each person among its districts.

    >>> from directory.synthetic import synthetic_directory
    >>> d = synthetic_directory(50, n_districts=4, seed=3)
    >>> a = synthetic_cohort(d, 100, seed=7)
    >>> a == synthetic_cohort(d, 100, seed=7), a == synthetic_cohort(d, 100, seed=8)
    (True, False)
    >>> {p.district for p in a} <= {x.id for x in d.districts}
    True
    """
    if n_people < 0:
        raise InvalidArgumentError(f"n_people must be 0 or more, not {n_people}")
    if period is not None:
        period_kind(period)
    if not directory.districts or not directory.needs:
        raise InvalidArgumentError("the directory has no districts or no needs")
    rng = random.Random(seed)
    towns_of: dict[str, list[tuple[str, float, float, int]]] = {}
    for t in directory.towns:
        towns_of.setdefault(t.district, []).append((t.name, t.lat, t.lon, t.population or 0))
    population = {d.id: sum(t[3] for t in towns_of.get(d.id, ())) for d in directory.districts}
    if sum(population.values()) == 0:
        population = dict.fromkeys(population, 1)
    district_ids = list(population)
    district_weights = list(population.values())
    need_ids = [n.id for n in directory.needs]
    need_weights = [NEED_WEIGHTS.get(n, 1) for n in need_ids]
    offences = {o: w for o, w in OFFENCE_WEIGHTS.items() if o in OFFENCES}
    people: list[SyntheticPerson] = []
    for _ in range(n_people):
        district = rng.choices(district_ids, weights=district_weights)[0]
        towns = towns_of.get(district)
        if towns and any(t[3] for t in towns):
            name, lat, lon, _pop = rng.choices(towns, weights=[t[3] for t in towns])[0]
        else:
            centre = directory.district_by_id[district]
            name, lat, lon = None, centre.lat, centre.lon
        youth = rng.random() < _YOUTH_SHARE
        age = rng.randint(10, 17) if youth else round(rng.triangular(18, 65, 24))
        k = min(len(need_ids), int(_pick(rng, {str(n): w for n, w in _NEEDS_PER_PERSON.items()})))
        needs: set[str] = set()
        while len(needs) < k:
            needs.add(rng.choices(need_ids, weights=need_weights)[0])
        cohorts = frozenset(c for c, rate in COHORT_RATES.items() if rng.random() < rate)
        people.append(
            SyntheticPerson(
                needs=tuple(sorted(needs)),
                district=district,
                age=age,
                gender=_pick(rng, _GENDERS),
                offence=_pick(rng, offences),
                disposal=_pick(rng, _YOUTH_DISPOSALS if youth else _ADULT_DISPOSALS),
                cohorts=cohorts,
                travel_km=DEFAULT_TRAVEL_KM,
                accept_remote=rng.random() < _ACCEPT_REMOTE,
                town=name,
                lat=lat,
                lon=lon,
            )
        )
    return tuple(people)


def write_cohort(people: Iterable[SyntheticPerson], path: str | Path) -> None:
    """Write synthetic people as a cohort file (CSV, the format of :mod:`matching.cohort`).

    Each person gets an opaque reference (``SYN-000001``...) and is placed by coordinates (their
    town's), so the file reads back to the same districts. For made-up people only: nothing here
    is fit for real assessments.

    >>> import tempfile, pathlib
    >>> from directory.loading import load
    >>> from matching.cohort import read_cohort
    >>> d = load()
    >>> people = synthetic_cohort(d, 20, seed=4)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "cohort.csv"
    ...     write_cohort(people, path)
    ...     rows, report = read_cohort(path, d)
    >>> report.ok, [r.assessment.district for r in rows] == [p.district for p in people]
    (True, True)
    """
    from matching.cohort import COLUMNS

    with Path(path).open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=[c for c in COLUMNS if c != "engaged"])
        writer.writeheader()
        for n, p in enumerate(people, start=1):
            writer.writerow(
                escape_row(
                    {
                        "reference": f"SYN-{n:06d}",
                        "needs": ";".join(p.needs),
                        "where": f"{p.lat:.5f}, {p.lon:.5f}",
                        "age": p.age,
                        "gender": p.gender or "",
                        "cohorts": ";".join(sorted(p.cohorts)),
                        "offence": p.offence or "",
                        "disposal": p.disposal or "",
                        "travel_km": f"{p.travel_km:g}",
                        "accept_remote": "yes" if p.accept_remote else "no",
                        "accept_waitlist": "no",
                    }
                )
            )
