"""Checks across records: references, duplicate ids, reach, coverage and staleness.

Single-record checks (types, impossible values) happen in :mod:`directory.models`. The checks here
see the whole :class:`~directory.models.Directory` and return :class:`Finding` objects that name a
path inside the directory (``("agencies", 3, "pathways", 1, "needs", 0)``); the loader turns a path
into a file, line and column.

>>> from directory.models import Directory, Need, NeedGroup
>>> d = Directory(groups=[NeedGroup(id="g", label="G")],
...               needs=[Need(id="drugs", label="Drugs", group="g"),
...                      Need(id="drugs", label="Drug use", group="h")])
>>> [(f.code, f.path) for f in check(d, today=date(2026, 11, 1))]
[('duplicate-id', ('needs', 1, 'id')), ('unknown-group', ('needs', 1, 'group'))]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from directory.models import REMOTE

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from directory.models import Agency, Directory

__all__ = ["DPath", "Finding", "check", "did_you_mean"]

DPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found by a cross-record check, located by a path inside the directory."""

    code: str
    message: str
    path: DPath
    record: str | None = None
    field: str | None = None
    hint: str = ""


def did_you_mean(text: str, choices: Iterable[str], limit: int = 3) -> list[str]:
    """The choices nearest to ``text`` (rapidfuzz), best first; empty when nothing is close.

    >>> did_you_mean("alcohl", ["alcohol", "drugs", "debt"])
    ['alcohol']
    """
    found = process.extract(text, list(choices), scorer=fuzz.WRatio, limit=limit, score_cutoff=70)
    return [str(choice) for choice, _score, _index in found]


def _hint(text: str, choices: Iterable[str]) -> str:
    near = did_you_mean(text, choices)
    return f"Did you mean {', '.join(repr(n) for n in near)}?" if near else ""


def _need_hint(text: str, d: Directory) -> str:
    """Did-you-mean over need ids, labels and synonyms, answered with need ids."""
    terms: dict[str, str] = {}
    for n in d.needs:
        for term in (n.id, n.label, *n.synonyms):
            terms.setdefault(_norm(term), n.id)
    near: list[str] = []
    for term in did_you_mean(_norm(text), terms, limit=6):
        if terms[term] not in near:
            near.append(terms[term])
    return f"Did you mean {', '.join(repr(n) for n in near[:3])}?" if near else ""


def _duplicates(items: Sequence[tuple[str, DPath, str | None]], kind: str) -> Iterator[Finding]:
    first: dict[str, DPath] = {}
    for key, path, record in items:
        if key in first:
            yield Finding(
                "duplicate-id",
                f"{kind} id {key!r} is used twice",
                path,
                record=record,
                field="id",
                hint=f"The first {kind} with this id is at {_show(first[key])}.",
            )
        else:
            first[key] = path


def _show(path: DPath) -> str:
    return ".".join(str(p) for p in path)


_WORD = re.compile(r"[^a-z0-9]+")


def _norm(text: str) -> str:
    return _WORD.sub(" ", text.casefold().replace("&", " and ")).strip()


def check(
    directory: Directory,
    *,
    today: date,
    stale_after: timedelta = timedelta(days=365),
    capacity_stale_after: timedelta = timedelta(days=365),
) -> list[Finding]:
    """Every cross-record problem of ``directory``, errors and warnings, in path order."""
    return list(_check(directory, today, stale_after, capacity_stale_after))


def _check(
    d: Directory, today: date, stale_after: timedelta, capacity_stale_after: timedelta
) -> Iterator[Finding]:
    group_ids = {g.id for g in d.groups}
    need_ids = {n.id for n in d.needs}
    area_ids = {a.id for a in d.areas}
    district_ids = {x.id for x in d.districts}

    # --- taxonomy
    yield from _duplicates(
        [(g.id, ("groups", i, "id"), g.id) for i, g in enumerate(d.groups)], "group"
    )
    yield from _duplicates(
        [(n.id, ("needs", i, "id"), n.id) for i, n in enumerate(d.needs)], "need"
    )
    owner: dict[str, str] = {}
    for n in d.needs:
        for term in (n.id.replace("_", " "), n.label):
            owner.setdefault(_norm(term), n.id)
    for i, n in enumerate(d.needs):
        if n.group not in group_ids:
            yield Finding(
                "unknown-group",
                f"need {n.id!r} names unknown group {n.group!r}",
                ("needs", i, "group"),
                record=n.id,
                field="group",
                hint=_hint(n.group, group_ids),
            )
        for j, word in enumerate(n.synonyms):
            key = _norm(word)
            if owner.setdefault(key, n.id) != n.id:
                yield Finding(
                    "duplicate-synonym",
                    f"synonym {word!r} of need {n.id!r} already means {owner[key]!r}",
                    ("needs", i, "synonyms", j),
                    record=n.id,
                    field="synonyms",
                )

    # --- places
    yield from _duplicates(
        [(a.id, ("areas", i, "id"), a.id) for i, a in enumerate(d.areas)], "area"
    )
    yield from _duplicates(
        [(x.id, ("districts", i, "id"), x.id) for i, x in enumerate(d.districts)], "district"
    )
    yield from _duplicates(
        [(_norm(t.name), ("towns", i, "name"), t.name) for i, t in enumerate(d.towns)], "town"
    )
    yield from _duplicates(
        [
            (p.code, ("postcode_districts", i, "code"), p.code)
            for i, p in enumerate(d.postcode_districts)
        ],
        "postcode district",
    )
    for i, x in enumerate(d.districts):
        if x.area not in area_ids:
            yield Finding(
                "unknown-area",
                f"district {x.id!r} names unknown area {x.area!r}",
                ("districts", i, "area"),
                record=x.id,
                field="area",
                hint=_hint(x.area, area_ids),
            )
    placed: list[tuple[str, int, str, str, str]] = [
        ("towns", i, t.name, t.district, "town") for i, t in enumerate(d.towns)
    ] + [
        ("postcode_districts", i, p.code, p.district, "postcode district")
        for i, p in enumerate(d.postcode_districts)
    ]
    for key, i, label, district, name in placed:
        if district not in district_ids:
            yield _unknown_district(district, district_ids, (key, i, "district"), label, name)

    # --- agencies, sites and pathways
    yield from _duplicates(
        [(a.id, ("agencies", i, "id"), a.id) for i, a in enumerate(d.agencies)], "agency"
    )
    yield from _duplicates(
        [
            (p.id, ("agencies", i, "pathways", j, "id"), p.id)
            for i, a in enumerate(d.agencies)
            for j, p in enumerate(a.pathways)
        ],
        "pathway",
    )
    yield from _duplicates(
        [
            (s.id, ("agencies", i, "sites", j, "id"), s.id)
            for i, a in enumerate(d.agencies)
            for j, s in enumerate(a.sites)
        ],
        "site",
    )
    for i, agency in enumerate(d.agencies):
        yield from _check_agency(
            d, i, agency, today, need_ids, district_ids, stale_after, capacity_stale_after
        )

    # --- coverage holes: a need no active pathway covers in a district (warning)
    covered: set[tuple[str, str]] = set()
    for agency in d.agencies:
        for p in agency.pathways:
            if not p.active:
                continue
            reach = set(d.served_districts(p))
            reach |= {s.district for s in agency.sites if s.id in p.sites}
            if REMOTE & set(p.delivery) and not p.districts:
                reach = set(district_ids)
            covered |= {(n, x) for n in p.needs for x in reach}
    for x in d.districts:
        for i, n in enumerate(d.needs):
            if (n.id, x.id) not in covered:
                yield Finding(
                    "coverage-hole",
                    f"no active pathway covers {n.id!r} in {x.label}",
                    ("needs", i, "id"),
                    record=n.id,
                )


def _unknown_district(
    value: str, known: set[str], path: DPath, record: str | None, what: str
) -> Finding:
    return Finding(
        "unknown-district",
        f"{what} {record!r} names unknown district {value!r}",
        path,
        record=record,
        field="district",
        hint=_hint(value, known),
    )


def _check_agency(
    d: Directory,
    i: int,
    agency: Agency,
    today: date,
    need_ids: set[str],
    district_ids: set[str],
    stale_after: timedelta,
    capacity_stale_after: timedelta,
) -> Iterator[Finding]:
    base: DPath = ("agencies", i)
    if not agency.sources:
        yield Finding(
            "no-sources",
            f"agency {agency.id!r} names no source",
            (*base, "id"),
            record=agency.id,
            field="sources",
        )
    if agency.last_verified is None:
        yield Finding(
            "unverified",
            f"agency {agency.id!r} has not been checked against its sources",
            (*base, "id"),
            record=agency.id,
            field="last_verified",
        )
    elif agency.last_verified > today:
        yield Finding(
            "future-date",
            f"last_verified {agency.last_verified} is after today",
            (*base, "last_verified"),
            record=agency.id,
            field="last_verified",
        )
    elif today - agency.last_verified > stale_after:
        yield Finding(
            "stale",
            f"agency {agency.id!r} last verified {agency.last_verified}",
            (*base, "last_verified"),
            record=agency.id,
            field="last_verified",
        )
    site_ids = {s.id for s in agency.sites}
    used: set[str] = set()
    for j, s in enumerate(agency.sites):
        if s.district not in district_ids:
            yield _unknown_district(
                s.district, district_ids, (*base, "sites", j, "district"), s.id, "site"
            )
    for j, p in enumerate(agency.pathways):
        pbase: DPath = (*base, "pathways", j)
        for k, need in enumerate(p.needs):
            if need not in need_ids:
                yield Finding(
                    "unknown-need",
                    f"pathway {p.id!r} names unknown need {need!r}",
                    (*pbase, "needs", k),
                    record=p.id,
                    field="needs",
                    hint=_need_hint(need, d),
                )
        if p.districts != "all":
            for k, x in enumerate(p.districts):
                if x not in district_ids:
                    yield _unknown_district(
                        x, district_ids, (*pbase, "districts", k), p.id, "pathway"
                    )
        for k, site_id in enumerate(p.sites):
            used.add(site_id)
            if site_id not in site_ids:
                yield Finding(
                    "unknown-site",
                    f"pathway {p.id!r} names unknown site {site_id!r}",
                    (*pbase, "sites", k),
                    record=p.id,
                    field="sites",
                    hint=_hint(site_id, site_ids) or "Add the site under this agency's sites.",
                )
        if not p.districts and not p.sites and not (REMOTE & set(p.delivery)):
            yield Finding(
                "unreachable-pathway",
                f"pathway {p.id!r} serves no district, has no site and no remote delivery",
                (*pbase, "id"),
                record=p.id,
            )
        if p.capacity is not None:
            if p.capacity.updated > today:
                yield Finding(
                    "future-date",
                    f"capacity updated {p.capacity.updated} is after today",
                    (*pbase, "capacity", "updated"),
                    record=p.id,
                    field="capacity.updated",
                )
            elif today - p.capacity.updated > capacity_stale_after:
                yield Finding(
                    "stale-capacity",
                    f"capacity of {p.id!r} last updated {p.capacity.updated}",
                    (*pbase, "capacity", "updated"),
                    record=p.id,
                    field="capacity.updated",
                )
    for j, s in enumerate(agency.sites):
        if s.id not in used:
            yield Finding(
                "unused-site",
                f"site {s.id!r} is used by no pathway",
                (*base, "sites", j, "id"),
                record=s.id,
            )
