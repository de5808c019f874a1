"""Every plan of a generated cohort as JSON lines, to show that a change leaves plans unchanged.

Run ``python benchmarks/plans.py OUT.jsonl`` before and after a change and compare the files
(``cmp``): one line per plan, ``plan.model_dump(mode="json")`` with sorted keys. The cohort
mixes what moves the matcher's paths: the shipped directory and a national synthetic one
(``--national`` pathways, 400 districts), 1-4 needs (the cohort mix) and 5-8 needs, remote
support accepted or not, waitlists accepted or not, engaged agencies, and a matcher counting
remote delivery as some km.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from match import people

from directory.loading import load
from directory.models import Directory
from directory.synthetic import synthetic_directory
from matching.assessment import Assessment
from matching.match import Matcher

DAY = date(2026, 11, 23)


def variants(d: Directory, n: int, seed: int) -> list[Assessment]:
    """``n`` people of each need mix, with flags and engaged agencies varied."""
    rng = random.Random(seed)
    agencies = sorted(a.id for a in d.agencies)
    out = []
    for heavy in (False, True):
        for a in people(d, n, seed=seed, heavy=heavy):
            engaged: dict[str, tuple[str, ...]] = {}
            if rng.random() < 0.2:
                engaged = {x: () for x in rng.sample(agencies, rng.randint(1, 2))}
                if rng.random() < 0.3:  # the first engaged agency meets a need already
                    engaged[min(engaged)] = (a.needs[0],)
            fields = a.model_dump()
            fields.update(
                accept_remote=rng.random() < 0.6,
                accept_waitlist=rng.random() < 0.3,
                engaged=engaged,
            )
            out.append(Assessment(**fields))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--shipped", type=int, default=1500, help="people per need mix")
    parser.add_argument("--national", type=int, default=50_000, help="pathways (0: none)")
    parser.add_argument("--national-people", type=int, default=500, help="people per need mix")
    args = parser.parse_args(argv)
    runs: list[tuple[str, Directory, int, float]] = [("shipped", load(), args.shipped, 0.0)]
    runs.append(("shipped-remote-km", runs[0][1], args.shipped // 3, 3.0))
    if args.national:
        national = synthetic_directory(args.national, n_districts=400, seed=0)
        runs.append(("national", national, args.national_people, 0.0))
    count = 0
    with args.out.open("w", encoding="utf-8") as f:
        for label, d, n, remote_km in runs:
            m = Matcher(d, remote_km=remote_km)
            for a in variants(d, n, seed=3):
                plan = m.match(a, on=DAY)
                row = {"run": label, "plan": plan.model_dump(mode="json")}
                f.write(json.dumps(row, sort_keys=True) + "\n")
                count += 1
    print(f"{count} plans written to {args.out}")


if __name__ == "__main__":
    main()
