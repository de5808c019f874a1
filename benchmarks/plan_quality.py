"""Plan quality over the synthetic year: are the plans ones a caseworker would sign?

Run ``python benchmarks/plan_quality.py`` (about a minute on a loaded machine; ``--people N``
for fewer). The year is :func:`matching.demand.synthetic_cohort` on the shipped directory
(4,200 made-up people, seed 0); 15% of those with a housing or a domestic abuse need have it
assessed urgent (seeded), so residential and refuge provision has its occasions. Each person is
matched twice: by the exact matcher (:class:`matching.match.Matcher`) and by the same matcher
with the textbook greedy cover in place of the exact search (:func:`matching.cover.greedy_cover`
on the same candidates and fit points). For each, it counts:

- plans whose only agency is a generalist (its pathway takes 5 or more needs), and referrals
  to a pathway for a need it takes alongside its specialism;
- active pathways never chosen in the year;
- residential, crisis or refuge provision (L4) given for a need not assessed urgent (must be 0);
- victims' services given to people not assessed as victims (must be 0);
- women whose needs a women's pathway could meet (one is a candidate for a need): how many got
  one; and the women of Peterborough whose needs Brighter Tomorrow takes: how many got it;
- under-18 plans without the youth justice service (must be 0).

These are figures about made-up people, for the documentation (docs/matching.md).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from directory.loading import load
from matching.assessment import Assessment
from matching.cover import greedy_cover
from matching.demand import synthetic_cohort
from matching.match import Matcher

if TYPE_CHECKING:
    from collections.abc import Sequence

    from directory.models import Directory
    from matching.plan import Plan

DAY = date(2026, 11, 16)
GENERALIST = 5  # needs a pathway takes from which it counts as a generalist


class GreedyMatcher(Matcher):
    """The matcher with the greedy cover in place of the exact search (the peer)."""

    def __init__(self, directory: Directory) -> None:
        super().__init__(directory, solver=greedy_cover)


def year(d: Directory, people: int, seed: int = 0) -> list[Assessment]:
    """The synthetic year as assessments; some housing and domestic abuse needs urgent."""
    rng = random.Random(seed)
    out = []
    for p in synthetic_cohort(d, people, seed):
        urgent = tuple(
            n
            for n in p.needs
            if n in ("accommodation", "domestic_abuse_victim") and rng.random() < 0.15
        )
        out.append(
            Assessment(
                needs=p.needs,
                district=p.district,
                lat=p.lat,
                lon=p.lon,
                age=p.age,
                gender=p.gender,
                cohorts=tuple(p.cohorts),
                offence=p.offence,
                disposal=p.disposal,
                travel_km=p.travel_km,
                accept_remote=p.accept_remote,
                urgent=urgent,
            )
        )
    return out


@dataclass
class Quality:
    """The counts of one matcher over the year."""

    plans: int = 0
    generalist_only: int = 0
    referrals: int = 0
    alongside: int = 0
    chosen: Counter[str] = field(default_factory=Counter)
    never_chosen: int = 0
    l4_not_urgent: int = 0
    l4_urgent: int = 0
    victims_for_non_victims: int = 0
    women_could: int = 0
    women_got: int = 0
    bt_could: int = 0
    bt_got: int = 0
    youth_plans: int = 0
    youth_without_yjs: int = 0
    agencies: int = 0


def measure(d: Directory, m: Matcher, people: Sequence[Assessment]) -> Quality:
    """Plan-quality counts of matcher ``m`` over ``people``."""
    q = Quality()
    pw = d.pathway_by_id
    yjs = {a.id for a in d.agencies if a.youth_justice}
    bt = pw.get("outside-links-brighter-tomorrow")
    for a in people:
        plan: Plan = m.match(a, on=DAY)
        q.plans += 1
        q.agencies += plan.objective.agencies
        referred = {r.agency for r in plan.referrals}
        if len(referred) == 1 and all(
            len(pw[r.pathway].needs) >= GENERALIST for r in plan.referrals
        ):
            q.generalist_only += 1
        for r in plan.referrals:
            p = pw[r.pathway]
            q.referrals += 1
            q.alongside += not p.specialism(r.need)
            q.chosen[p.id] += 1
            if p.level_of(r.need) == "residential":
                if r.need in a.urgent:
                    q.l4_urgent += 1
                else:
                    q.l4_not_urgent += 1
            q.victims_for_non_victims += p.eligibility.role == "victim" and not a.victim
        if a.gender == "female":
            cands = m.candidates(a, on=DAY)
            if any(pw[c.pathway].eligibility.audience.women != "open" for c in cands):
                q.women_could += 1
                q.women_got += any(
                    pw[r.pathway].eligibility.audience.women != "open" for r in plan.referrals
                )
            if (
                bt is not None
                and a.district == "peterborough"
                and a.age >= 18
                and set(a.needs) <= set(bt.needs)
            ):
                q.bt_could += 1
                q.bt_got += bt.id in plan.pathways
        if a.age < 18:
            q.youth_plans += 1
            q.youth_without_yjs += not ({x.id for x in plan.agencies} & yjs)
    active = [p.id for p in d.pathways if p.active]
    q.never_chosen = sum(1 for p in active if not q.chosen[p])
    return q


def _pct(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.0f}%)" if whole else "0"


def rows(q: Quality, d: Directory) -> list[tuple[str, str]]:
    """The figures of one run as (label, value) rows."""
    top = q.chosen.most_common(1)
    return [
        ("plans", str(q.plans)),
        ("agencies per plan (mean)", f"{q.agencies / max(q.plans, 1):.2f}"),
        ("plans whose only agency is a generalist", _pct(q.generalist_only, q.plans)),
        ("referrals for a need taken alongside", _pct(q.alongside, q.referrals)),
        ("most chosen pathway", f"{top[0][0]} ({top[0][1]} referrals)" if top else "-"),
        (
            "active pathways never chosen",
            f"{q.never_chosen} of {sum(p.active for p in d.pathways)}",
        ),
        ("L4 provision for a need not assessed urgent (must be 0)", str(q.l4_not_urgent)),
        ("L4 provision for an urgent need", str(q.l4_urgent)),
        (
            "victims' services for people not assessed as victims (must be 0)",
            str(q.victims_for_non_victims),
        ),
        ("women a women's pathway could serve who got one", f"{q.women_got} of {q.women_could}"),
        (
            "Peterborough women within Brighter Tomorrow's needs who got it",
            f"{q.bt_got} of {q.bt_could}",
        ),
        (
            "under-18 plans without the youth justice service (must be 0)",
            f"{q.youth_without_yjs} of {q.youth_plans}",
        ),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=4200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    d = load()
    people = year(d, args.people, args.seed)
    exact = measure(d, Matcher(d), people)
    greedy = measure(d, GreedyMatcher(d), people)
    print(f"| figure ({args.people} people, seed {args.seed}) | exact | greedy |")
    print("|---|---:|---:|")
    for (label, e), (_, g) in zip(rows(exact, d), rows(greedy, d), strict=True):
        print(f"| {label} | {e} | {g} |")


if __name__ == "__main__":
    main()
