"""matching.gaps, matching.demand, matching.scenarios, matching.gap_tables and ``pathways gaps``.

- Hand-checked directories with known answers: each reason for unmet demand, places converted to
  the period, a case where first come, first served leaves a person out whom the exact
  allocation places.
- On generated directories and cohorts (tests.strategies.match_directories/match_assessments):
  met + unmet = demand in every cell; allocations within places; the grouped network (groups,
  age bands, hubs, reach tables) gives the value and travel of an independent per-person network
  built from the public rules (matching.reach.reach, matching.eligibility.eligible) and solved as
  an LP by HiGHS; "full" means every pathway in reach is full; the reasons agree with the rules.
- Scenarios never change the baseline; losing an agency equals giving it no places; shorter
  travel, fewer agencies never meet more; single points of failure are exactly that.
- Published outputs (CSV, Markdown, JSON, from the library and the CLI) show no count of people
  below the threshold, and no row lets a hidden count be recovered by subtraction.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.errors import DataError, InvalidArgumentError, NotFoundError
from directory.loading import load
from directory.models import (
    Agency,
    Area,
    Capacity,
    Directory,
    District,
    Eligibility,
    Need,
    NeedGroup,
    Pathway,
    Site,
    Source,
)
from directory.synthetic import synthetic_directory
from matching.cohort import read_cohort
from matching.demand import (
    Demand,
    DemandKey,
    demand_from_people,
    period_kind,
    read_counts,
    synthetic_cohort,
    write_cohort,
    write_counts,
)
from matching.eligibility import eligible
from matching.flow import FlowNetwork, greedy_allocation, is_feasible_allocation
from matching.gap_tables import CELL_COLUMNS, cell_table
from matching.gaps import REASONS, build_network, gaps, groups_of, places_in_period
from matching.reach import reach
from matching.scenarios import (
    Scenario,
    agency_losses,
    apply,
    compare,
    run,
    single_points_of_failure,
)
from pathways.cli import main
from pathways.gaps_report import gap_chart, gap_tables, to_csv, to_json, to_markdown
from tests.strategies import match_assessments, match_directories
from tests.test_flow import lp_optimum

TODAY = date(2026, 10, 1)


# ---------------------------------------------------------------------------------------------
# Hand-made directories
# ---------------------------------------------------------------------------------------------


def tiny(*pathways: tuple[str, Pathway], sites: tuple[Site, ...] = ()) -> Directory:
    """Fenland and Cambridge (about 39 km apart), needs debt and drugs, agencies as given."""
    by_agency: dict[str, list[Pathway]] = {}
    for agency, p in pathways:
        by_agency.setdefault(agency, []).append(p)
    return Directory(
        groups=(NeedGroup(id="support", label="Support"),),
        needs=(
            Need(id="debt", label="Debt", group="support"),
            Need(id="drugs", label="Drugs", group="support"),
            Need(id="gambling", label="Gambling", group="support"),
        ),
        areas=(Area(id="north", label="North"),),
        districts=(
            District(id="fenland", label="Fenland", area="north", lat=52.55, lon=0.09),
            District(id="cambridge", label="Cambridge", area="north", lat=52.2, lon=0.12),
        ),
        agencies=tuple(
            Agency(
                id=a,
                name=a.title(),
                sources=(Source(title="test", evidence="guess"),),
                last_verified=TODAY,
                sites=tuple(s for s in sites if s.id.startswith(a)),
                pathways=tuple(ps),
            )
            for a, ps in by_agency.items()
        ),
    )


def pathway(ident: str, places: int | None, **fields: Any) -> Pathway:
    capacity = None
    if places is not None or "status" in fields:
        capacity = Capacity(
            places=places,
            per=fields.pop("per", "month"),
            status=fields.pop("status", "open"),
            updated=TODAY,
        )
    fields.setdefault("needs", ("debt",))
    return Pathway(id=ident, name=ident, capacity=capacity, **fields)


def counts(*rows: tuple[str, str, int], **facts: Any) -> Demand:
    return Demand.of([(DemandKey(d, n, **facts), c) for d, n, c in rows], period="2026-11")


def test_exact_allocation_places_who_first_come_first_served_leaves_out() -> None:
    # "near" serves both districts from a site in Fenland, one place; "far" serves Fenland only
    # from a site about 20 km out, one place. The Fenland person, first in, would take "near"
    # and leave the Cambridge person (who can reach nothing else) without a place.
    sites = (
        Site(id="near-site", name="Near", district="fenland", lat=52.55, lon=0.09),
        Site(id="far-site", name="Far", district="fenland", lat=52.73, lon=0.09),
    )
    d = tiny(
        ("near", pathway("near-debt", 1, districts=("fenland", "cambridge"), sites=("near-site",))),
        ("far", pathway("far-debt", 1, districts=("fenland",), sites=("far-site",))),
        sites=sites,
    )
    demand = counts(("fenland", "debt", 1), ("cambridge", "debt", 1))
    result = gaps(d, demand)
    assert (result.met, result.unmet) == (2, 0)
    assert {u.pathway: u.allocated for u in result.pathways} == {"near-debt": 1, "far-debt": 1}
    # the Fenland person travels ~20 km, the Cambridge person ~39 km (100 m units)
    assert result.cost == pytest.approx(200 + 389, abs=3)

    net = result.network
    fenland_first = [g for g, grp in enumerate(net.groups) if grp.district == "fenland"]
    cambridge = [g for g, grp in enumerate(net.groups) if grp.district == "cambridge"]
    greedy = greedy_allocation(net.network, order=fenland_first + cambridge)
    assert is_feasible_allocation(net.network, greedy)
    met = sum(greedy[a] for g in range(len(net.groups)) for a in net.network.arcs_out(g))
    assert met == 1  # first come, first served leaves the Cambridge person out


def test_each_reason_for_unmet_demand() -> None:
    sites = (Site(id="women-site", name="W", district="fenland", lat=52.55, lon=0.09),)
    d = tiny(
        # drugs only in Fenland, in person, no site in reach of Cambridge within 25 km
        ("local", pathway("local-drugs", 5, needs=("drugs",), districts=("fenland",))),
        # debt for women only
        (
            "women",
            pathway(
                "women-debt",
                5,
                districts="all",
                sites=("women-site",),
                eligibility=Eligibility(genders=("female",)),
            ),
        ),
        # a closed gambling line: provided, in reach, no places
        (
            "line",
            pathway(
                "line-gambling",
                9,
                needs=("gambling",),
                districts="all",
                delivery=("phone",),
                status="closed",
            ),
        ),
        sites=sites,
    )
    demand = Demand.of(
        [
            (DemandKey("cambridge", "drugs", age=30), 6),  # not in reach
            (DemandKey("fenland", "debt", age=30, gender="male"), 7),  # not eligible
            (DemandKey("fenland", "debt", age=30, gender="female"), 2),  # met
            (DemandKey("fenland", "gambling", age=30), 3),  # full (closed)
        ],
        period="2026-11",
    )
    result = gaps(d, demand)
    cell = {(c.need, c.district): c for c in result.cells}
    assert cell[("drugs", "cambridge")].unmet_not_in_reach == 6
    assert cell[("debt", "fenland")].unmet_not_eligible == 7
    assert cell[("debt", "fenland")].met == 2
    assert cell[("gambling", "fenland")].unmet_full == 3
    assert cell[("gambling", "fenland")].places_in_reach == 0
    assert cell[("gambling", "fenland")].agencies == ()  # closed: no places, no agency
    none = gaps(d, counts(("fenland", "mentoring", 4)))  # no pathway for the need at all
    assert none.cells[0].unmet_none_provided == 4
    assert {u.pathway: u.saturated for u in result.pathways}["line-gambling"]


def test_places_in_each_period() -> None:
    def cap(places: int, per: str) -> Capacity:
        return Capacity(places=places, per=per, updated=TODAY)  # type: ignore[arg-type]

    assert places_in_period(cap(2, "week"), "month") == 8  # 2 x 52/12 = 8.67
    assert places_in_period(cap(2, "week"), "quarter") == 26
    assert places_in_period(cap(2, "week"), "year") == 104
    assert places_in_period(cap(10, "quarter"), "month") == 3
    assert places_in_period(cap(10, "quarter"), "week") == 0
    assert places_in_period(cap(12, "month"), "year") == 144
    assert places_in_period(cap(30, "month"), "week") == 6  # 30 x 12/52 = 6.92
    assert places_in_period(Capacity(places=None, updated=TODAY), "week") is None
    with pytest.raises(InvalidArgumentError):
        places_in_period(cap(1, "month"), "fortnight")
    assert [period_kind(k) for k in ("2026-W01", "2026-01", "2026-Q1", "2026")] == [
        "week",
        "month",
        "quarter",
        "year",
    ]


def test_weekly_places_over_a_year_and_unlimited_places() -> None:
    d = tiny(
        ("weekly", pathway("weekly-debt", 1, per="week", districts="all", delivery=("phone",))),
        (
            "open",
            pathway("open-drugs", None, needs=("drugs",), districts="all", delivery=("phone",)),
        ),
    )
    demand = counts(("fenland", "debt", 60), ("cambridge", "drugs", 500))
    result = gaps(d, demand, period="2026")
    assert result.cell("debt", "fenland").met == 52  # type: ignore[union-attr]
    assert result.cell("drugs", "cambridge").met == 500  # type: ignore[union-attr]
    row = {r["need"]: r for r in cell_table(result)}
    assert row["drugs"]["places_in_reach"] == "0+"


def test_adults_of_unknown_age_pass_only_rules_open_to_every_adult() -> None:
    d = tiny(
        (
            "young",
            pathway(
                "young-debt",
                9,
                districts="all",
                delivery=("phone",),
                eligibility=Eligibility(min_age=18, max_age=25),
            ),
        ),
        (
            "adult",
            pathway(
                "adult-debt",
                2,
                districts="all",
                delivery=("phone",),
                eligibility=Eligibility(min_age=18),
            ),
        ),
    )
    unknown = gaps(d, counts(("fenland", "debt", 5)))
    assert unknown.met == 2
    assert unknown.cells[0].unmet_full == 3
    young = gaps(d, counts(("fenland", "debt", 5), age=20))
    assert young.met == 5


def test_travel_limit_decides_reach_to_sites_of_other_districts() -> None:
    sites = (Site(id="hub-site", name="Hub", district="fenland", lat=52.55, lon=0.09),)
    d = tiny(
        ("hub", pathway("hub-debt", 10, districts=("fenland",), sites=("hub-site",))), sites=sites
    )
    demand = counts(("cambridge", "debt", 4))
    assert gaps(d, demand).met == 0  # 39 km away, 25 km limit
    assert gaps(d, demand, travel_km=40).met == 4
    outcome = run(d, demand, Scenario(travel_km=40))
    assert [(c.met_before, c.met_after) for c in outcome.better()] == [(0, 4)]


def test_engines_agree_on_the_shipped_directory() -> None:
    d = load()
    demand = demand_from_people(synthetic_cohort(d, 700, seed=3), period="2026-11")
    a = gaps(d, demand, engine="ortools")
    b = gaps(d, demand, engine="networkx")
    assert (a.met, a.cost) == (b.met, b.cost)
    assert [c.unmet_full + c.met for c in a.cells] == [c.unmet_full + c.met for c in b.cells]


def test_groups_merge_people_with_the_same_deciding_facts() -> None:
    d = load()
    people = synthetic_cohort(d, 2000, seed=5)
    demand = demand_from_people(people, period="2026-11")
    net = build_network(d, demand)
    # far fewer groups than distinct rows of demand (ages, offences... that decide nothing)
    assert len(net.groups) < len(demand.rows) / 2
    assert sum(g.count for g in net.groups) == demand.total


# ---------------------------------------------------------------------------------------------
# An independent per-person oracle over generated directories
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtCentre:
    """A person placed at their district's centre (as gaps places them)."""

    district: str
    lat: float
    lon: float
    travel_km: float
    accept_remote: bool


def oracle(d: Directory, people: list[Any], per: str) -> tuple[FlowNetwork, dict[Any, Any]]:
    """One group per person and need, an arc to every pathway the public rules allow."""
    active = [p for p in d.pathways if p.active]
    supply: list[int] = []
    arcs: list[tuple[int, int, int]] = []
    reasons: dict[tuple[str, str], dict[str, int]] = {}
    for person in people:
        centre = d.district_by_id[person.district]
        at = AtCentre(
            person.district, centre.lat, centre.lon, person.travel_km, person.accept_remote
        )
        for need in person.needs:
            if need in person.met:
                continue
            g = len(supply)
            supply.append(1)
            having = [p for p in active if need in p.needs]
            reached = [p for p in having if reach(d, p, at).ok]
            usable = [p for p in reached if eligible(p, person).ok]
            for p in usable:
                cost = round(reach(d, p, at).distance_km / 0.1)
                arcs.append((g, active.index(p), cost))
            why = (
                "none_provided"
                if not having
                else "not_in_reach"
                if not reached
                else "not_eligible"
                if not usable
                else None
            )
            if why:
                cell = reasons.setdefault((need, person.district), dict.fromkeys(REASONS, 0))
                cell[why] += 1
    capacity = [places_in_period(p.capacity, per) for p in active]
    return FlowNetwork.bipartite(supply, capacity, arcs), reasons


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_grouped_network_equals_a_per_person_network(data: st.DataObject) -> None:
    d = data.draw(match_directories())
    people = data.draw(st.lists(match_assessments(d), min_size=0, max_size=12))
    demand = demand_from_people(people, period="2026-11")
    result = gaps(d, demand)
    # every cell adds up; places are respected; the flow is feasible
    for c in result.cells:
        assert c.met + c.unmet == c.demand
        assert sum(c.unmet_by(r) for r in REASONS) == c.unmet
    for u in result.pathways:
        assert u.places is None or u.allocated <= u.places
    assert is_feasible_allocation(result.network.network, result.flow.arc_flow)
    assert result.demand == demand.total
    # the same optimum (value and travel) as the per-person network from the public rules
    per_person, reasons = oracle(d, people, "month")
    assert (result.met, result.cost) == lp_optimum(per_person)
    # the reasons for unmet demand agree with the rules
    for c in result.cells:
        expected = reasons.get((c.need, c.district), dict.fromkeys(REASONS, 0))
        for r in ("none_provided", "not_in_reach", "not_eligible"):
            assert c.unmet_by(r) == expected[r], (c, r)
    # "full" means full: every pathway in reach of a group with unmet demand is saturated
    net = result.network
    allocated = {u.pathway: u for u in result.pathways}
    for g, (group, met) in enumerate(groups_of(result)):
        if group.reason is None and met < group.count:
            for t in net.network.targets_from(g):
                assert allocated[net.pathways[t]].saturated


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_scenarios_only_ever_take_away_when_they_remove(data: st.DataObject) -> None:
    d = data.draw(match_directories())
    people = data.draw(st.lists(match_assessments(d), min_size=1, max_size=10))
    demand = demand_from_people(people, period="2026-11")
    base = gaps(d, demand)
    agency = data.draw(st.sampled_from(d.agencies)).id
    before = d.model_dump()
    without = run(d, demand, Scenario(without_agencies=(agency,)), baseline=base)
    assert d.model_dump() == before  # the baseline directory is untouched
    assert without.result.met <= base.met
    assert all(c.change < 0 for c in without.worse())
    assert agency not in {u.agency for u in without.result.pathways}
    # losing an agency = giving its pathways no places (what agency_losses computes)
    losses = {x.agency: x.unmet_added for x in agency_losses(d, base, top=None)}
    assert losses.get(agency, 0) == base.met - without.result.met
    # a shorter travel limit never meets more
    short = gaps(d, demand, travel_km=data.draw(st.sampled_from((0.0, 5.0))))
    assert short.met <= gaps(d, demand, travel_km=60.0).met
    # single points of failure: lose that agency and the cell's demand is no longer met
    for s in single_points_of_failure(base):
        lost = gaps(apply(d, Scenario(without_agencies=(s.agency,))), demand)
        assert lost.cell(s.need, s.district).met == 0  # type: ignore[union-attr]


def test_apply_rejects_unknown_ids_and_negative_places() -> None:
    d = load()
    with pytest.raises(NotFoundError, match="did you mean 'casus'"):
        apply(d, Scenario(without_agencies=("casuss",)))
    with pytest.raises(NotFoundError, match="pathway"):
        apply(d, Scenario(places={"no-such-pathway": 3}))
    with pytest.raises(InvalidArgumentError):
        apply(d, Scenario(places={"gamcare-treatment": -1}))
    bad = Pathway(
        id="gamcare-helpline",
        name="Twin",
        needs=("gambling",),
        districts="all",
        delivery=("phone",),
    )
    with pytest.raises(DataError):  # a duplicate id breaks the directory's rules
        apply(d, Scenario(add_pathways=(("gamcare", bad),)))


def test_adding_a_pathway_meets_more_and_lookups_are_fresh() -> None:
    d = load()
    demand = counts(("fenland", "gambling", 400))
    extra = Pathway(
        id="gamcare-extra",
        name="Extra",
        needs=("gambling",),
        districts="all",
        delivery=("phone",),
        capacity=Capacity(places=50, updated=TODAY),
    )
    changed = apply(
        d, Scenario(add_pathways=(("gamcare", extra),), places={"gamcare-helpline": 100})
    )
    assert "gamcare-extra" in changed.pathway_by_id
    assert "gamcare-extra" not in d.pathway_by_id
    assert changed.pathway_by_id["gamcare-helpline"].capacity.places == 100  # type: ignore[union-attr]
    before, after = gaps(d, demand), gaps(changed, demand)
    assert before.met == 400  # the helpline records no limit
    assert after.met == 160  # 100 + the treatment's 10 + 50
    assert compare(before, after)[0].change == -240
    gone = apply(d, Scenario(without_agencies=("gamcare",)))
    assert "gamcare" not in gone.agency_by_id
    assert "gamcare-helpline" not in gone.pathway_by_id


# ---------------------------------------------------------------------------------------------
# Demand
# ---------------------------------------------------------------------------------------------


def test_counts_tables_report_every_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    path.write_text(
        "district,need,period,count,gender\n"
        "fenland,debt,2026-11,12,\n"
        "fenlnd,debt,2026-11,3,\n"
        "fenland,debt,2026-13,-1,man\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        read_counts(path, load())
    assert err.value.report.flatten(["line", "code", "field"]) == [
        [3, "unknown-district", "district"],
        [4, "invalid-value", "count"],
        [4, "invalid-value", "gender"],
        [4, "invalid-value", "period"],
    ]
    path.write_text("district,need,count\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_counts(path, load())
    assert err.value.report.codes() == ["missing-field"]


def test_counts_tables_name_needs_as_people_do_but_never_corrected(tmp_path: Path) -> None:
    """A need's id, label or synonym reads as the need (the one resolver); a misspelling is a
    problem with the suggestion, never moved silently into another need's count."""
    d = load()
    path = tmp_path / "counts.csv"
    path.write_text(
        "district,need,period,count\n"
        "fenland,debt,2026-11,12\n"
        "fenland,Housing,2026-11,3\n"
        "fenland,homeless,2026-11,4\n"
        "fenland,dbet,2026-11,5\n"
        "fenland,banana,2026-11,6\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        read_counts(path, d)
    assert err.value.report.flatten(["line", "code", "field"]) == [
        [5, "unknown-need", "need"],
        [6, "unknown-need", "need"],
    ]
    hints = [p.hint for p in err.value.report.problems]
    assert hints[0].startswith("Did you mean 'debt'? ")
    assert not hints[1].startswith("Did you mean")
    path.write_text(path.read_text("utf-8").rsplit("fenland,dbet", 1)[0], encoding="utf-8")
    (demand,) = read_counts(path, d).values()
    assert dict(((k.need), n) for k, n in demand.rows) == {"accommodation": 7, "debt": 12}


def test_counts_round_trip_and_merge(tmp_path: Path) -> None:
    d = load()
    demand = demand_from_people(synthetic_cohort(d, 300, seed=9), period="2026-Q4")
    path = tmp_path / "counts.csv"
    write_counts(demand, path)
    assert read_counts(path, d) == {"2026-Q4": demand}
    merged = Demand.of(
        [
            (DemandKey("fenland", "debt"), 2),
            (DemandKey("fenland", "debt"), 0),
            (DemandKey("cambridge", "debt"), 0),
        ]
    )
    assert merged.rows == ((DemandKey("fenland", "debt"), 2),)
    with pytest.raises(InvalidArgumentError):
        Demand.of([(DemandKey("fenland", "debt"), -1)])
    with pytest.raises(InvalidArgumentError):
        gaps(d, merged)  # no period anywhere


def test_cohort_files_give_the_same_demand(tmp_path: Path) -> None:
    d = load()
    people = synthetic_cohort(d, 200, seed=11)
    path = tmp_path / "cohort.csv"
    write_cohort(people, path)
    rows, report = read_cohort(path, d)
    assert report.ok
    assert demand_from_people([r.assessment for r in rows], period="2026-11") == (
        demand_from_people(people, period="2026-11")
    )


def test_needs_already_met_by_an_engaged_agency_are_not_new_demand() -> None:
    d = load()
    from matching.assessment import assess

    person = assess(
        d, needs="debt, drugs", where="Wisbech", age=30, engaged={"cgl-cambridgeshire": "drugs"}
    )
    demand = demand_from_people([person])
    assert [(k.need, c) for k, c in demand.rows] == [("debt", 1)]


def test_synthetic_cohorts_follow_their_calibration() -> None:
    d = load()
    people = synthetic_cohort(d, 6000, seed=2)
    n = len(people)
    youth = [p for p in people if p.age < 18]
    adults = [p for p in people if p.age >= 18]
    assert 0.08 < len(youth) / n < 0.12
    assert all(18 <= p.age <= 65 for p in adults)
    cr = sum(p.disposal == "community_resolution" for p in adults) / len(adults)
    assert 0.60 < cr < 0.70
    assert all(p.disposal in ("community_resolution", "conditional_caution") for p in adults)
    assert all(1 <= len(p.needs) <= 4 for p in people)
    assert 0.70 < sum(p.gender == "male" for p in people) / n < 0.78
    # districts in proportion to the population of their towns
    population: dict[str, int] = {}
    for t in d.towns:
        population[t.district] = population.get(t.district, 0) + (t.population or 0)
    total = sum(population.values())
    for district, pop in population.items():
        share = sum(p.district == district for p in people) / n
        assert abs(share - pop / total) < 0.03
    # the most frequent needs are the heavily weighted ones
    tally: dict[str, int] = {}
    for p in people:
        for need in p.needs:
            tally[need] = tally.get(need, 0) + 1
    top = sorted(tally, key=tally.__getitem__, reverse=True)[:4]
    assert set(top) <= {"drugs", "alcohol", "mental_health", "accommodation", "employment"}


# ---------------------------------------------------------------------------------------------
# Published outputs
# ---------------------------------------------------------------------------------------------

PEOPLE = {
    "cells": ("demand", "met", "unmet", *(f"unmet_{r}" for r in REASONS)),
    "summary": ("demand", "met", "unmet", *(f"unmet_{r}" for r in REASONS)),
    "pathways": ("allocated",),
    "changes": ("demand", "met_before", "met_after", "change"),
    "single_points": ("demand",),
    "losses": ("unmet_added",),
}


def assert_published(tables: dict[str, list[dict[str, Any]]], threshold: int) -> None:
    """No count of people below the threshold (what can be worked back from the shown ones is
    the disclosure auditor's job: tests/test_disclosure_audit.py)."""
    hidden = (f"<{threshold}", "[c]")
    for name, rows in tables.items():
        for row in rows:
            for column in PEOPLE[name]:
                value = row[column]
                assert value in hidden or int(value) >= threshold, (name, column, row)


def _csv_rows(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))


def _md_rows(text: str) -> dict[str, list[dict[str, Any]]]:
    """Parse our Markdown tables back (the headings name them, in the order written)."""
    names = iter(["summary", "cells", "pathways", "changes", "single_points", "losses"])
    tables: dict[str, list[dict[str, Any]]] = {}
    header: list[str] | None = None
    current: list[dict[str, Any]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            current = tables.setdefault(next(names), [])
            header = None
        elif line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if header is None:
                header = [c.replace(" ", "_") for c in cells]
            else:
                current.append(dict(zip(header, cells, strict=True)))
    return tables


@pytest.fixture(scope="module")
def shipped_run() -> tuple[Directory, Demand]:
    d = load()
    return d, demand_from_people(synthetic_cohort(d, 350, seed=1), period="2026-11")


@pytest.mark.parametrize("threshold", [5, 3, 10])
def test_published_tables_hide_small_counts(
    shipped_run: tuple[Directory, Demand], threshold: int
) -> None:
    d, demand = shipped_run
    outcome = run(d, demand, Scenario(without_agencies=("cpft-liaison-diversion",)))
    result = outcome.result
    tables = gap_tables(
        result,
        threshold=threshold,
        outcome=outcome,
        single_points=single_points_of_failure(result),
        losses=agency_losses(apply(d, outcome.scenario), result, top=None),
    )
    assert all(tables[name] for name in PEOPLE)  # every table has rows to check
    assert_published(tables, threshold)
    assert_published(json.loads(to_json(tables)), threshold)
    assert_published({k: _csv_rows(to_csv(v)) for k, v in tables.items()}, threshold)
    assert_published(_md_rows(to_markdown(tables)), threshold)


def test_no_suppression_shows_the_exact_figures(shipped_run: tuple[Directory, Demand]) -> None:
    d, demand = shipped_run
    result = gaps(d, demand)
    rows = cell_table(result, threshold=0)
    assert list(rows[0]) == list(CELL_COLUMNS)
    assert [(r["need"], r["district"], r["demand"], r["met"]) for r in rows] == [
        (c.need, c.district, c.demand, c.met) for c in result.cells
    ]


def test_chart_files(tmp_path: Path, shipped_run: tuple[Directory, Demand]) -> None:
    d, demand = shipped_run
    result = gaps(d, demand)
    gap_chart(result, tmp_path / "gaps.svg")
    gap_chart(result, tmp_path / "gaps.png")
    assert "<svg" in (tmp_path / "gaps.svg").read_text(encoding="utf-8")
    assert (tmp_path / "gaps.png").read_bytes().startswith(b"\x89PNG")


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def gaps_cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["gaps", *args])


def test_cli_outputs_are_published_figures(tmp_path: Path) -> None:
    base = ["--synthetic", "350", "--period", "2026-11", "--without", "casus", "--resilience"]
    out = gaps_cli(*base, "--format", "json")
    assert out.exit_code == 0, out.output
    tables = json.loads(out.output)
    assert set(tables) == set(PEOPLE)
    assert_published(tables, 5)
    md = gaps_cli(*base, "--format", "md")
    assert md.exit_code == 0
    assert_published(_md_rows(md.output), 5)
    for table in PEOPLE:
        text = gaps_cli(*base, "--format", "csv", "--table", table)
        assert text.exit_code == 0, text.output
        assert_published({table: _csv_rows(text.output)}, 5)
    chart = tmp_path / "gaps.svg"
    shown = gaps_cli("--synthetic", "100", "--period", "2026-11", "--chart", str(chart))
    assert shown.exit_code == 0, shown.output
    assert "Unmet / demand by need and district" in shown.output
    assert chart.exists()


def test_cli_reads_counts_and_cohorts(tmp_path: Path) -> None:
    d = load()
    demand = demand_from_people(synthetic_cohort(d, 120, seed=4), period="2026-11")
    write_counts(demand, tmp_path / "counts.csv")
    out = gaps_cli("--demand", str(tmp_path / "counts.csv"), "--format", "json", "--threshold", "0")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["summary"][0]["demand"] == demand.total
    write_cohort(synthetic_cohort(d, 120, seed=4), tmp_path / "cohort.csv")
    out = gaps_cli(
        "--demand",
        str(tmp_path / "cohort.csv"),
        "--period",
        "2026-11",
        "--format",
        "json",
        "--threshold",
        "0",
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["summary"][0]["demand"] == demand.total


def test_cli_exit_codes(tmp_path: Path) -> None:
    assert gaps_cli("--synthetic", "10", "--without", "casuss").exit_code == 2
    assert gaps_cli("--synthetic", "10", "--places", "gamcare-helpline").exit_code == 2
    assert gaps_cli().exit_code == 2  # no demand
    assert gaps_cli("--synthetic", "10", "--format", "csv", "--table", "losses").exit_code == 2
    bad = tmp_path / "counts.csv"
    bad.write_text("district,need,period,count\nfenland,dbet,2026-11,4\n", encoding="utf-8")
    out = gaps_cli("--demand", str(bad))
    assert out.exit_code == 1
    assert "unknown-need" in out.output


def test_synthetic_national_directory_groups_and_hubs() -> None:
    # the size of the network grows with cells and pathways, not with people
    d = synthetic_directory(400, n_districts=20, seed=1)
    small = demand_from_people(synthetic_cohort(d, 1000, seed=1), period="2026-11")
    large = demand_from_people(synthetic_cohort(d, 8000, seed=1), period="2026-11")
    a, b = build_network(d, small), build_network(d, large)
    assert large.total > 7 * small.total
    assert b.network.n_arcs < 2 * a.network.n_arcs
    assert b.network.n_hubs > 0
