"""Disclosure protection: the gaps page's joint protection (cells, pathways and the charts' and
map's totals together) against the tables protected alone, on synthetic years of the shipped
directory.

Run ``python benchmarks/protection.py`` (a few minutes) or ``--people 350 --seeds 0``.

The lean peer is :func:`matching.gap_tables.published` without the need groups: the same
figures and relations for the tables, without the chart totals that tie every cell of a need or
district together. The ratio says what publishing the charts' totals costs. Times are CPU time
of one process (``time.process_time``), the gaps run itself excluded.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from directory.loading import load
from matching.demand import demand_from_people, synthetic_cohort
from matching.gap_groups import need_groups
from matching.gap_tables import CONFIDENTIAL, published
from matching.gaps import gaps


def _hidden(tables: Mapping[str, Sequence[Mapping[str, object]]]) -> int:
    return sum(
        1
        for rows in tables.values()
        for row in rows
        for v in row.values()
        if v == CONFIDENTIAL or (isinstance(v, str) and v.startswith("<"))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[150, 350, 600])
    parser.add_argument("--seeds", type=int, nargs="+", default=[4, 0, 2])
    args = parser.parse_args()
    d = load()
    groups = need_groups(d)
    print(f"{'people':>7} {'seed':>4} {'alone s':>8} {'joint s':>8} {'ratio':>6} {'hidden':>7}")
    for people, seed in zip(args.people, args.seeds, strict=False):
        result = gaps(
            d, demand_from_people(synthetic_cohort(d, people, seed=seed), period="2026-11")
        )
        t = time.process_time()
        published(result)
        alone = time.process_time() - t
        t = time.process_time()
        joint = published(result, groups=groups)
        together = time.process_time() - t
        print(
            f"{people:>7} {seed:>4} {alone:>8.2f} {together:>8.2f} "
            f"{together / alone:>6.0f} {_hidden(joint):>7}"
        )


if __name__ == "__main__":
    main()
