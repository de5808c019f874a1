"""Seeded synthetic directories, from the shipped size to national size, for benchmarks and tests.

The generator reuses the shipped need taxonomy and spreads districts over a grid in England; each
agency has a home district, one or two sites near its centre and one to five pathways. Shapes
follow the shipped directory: most pathways serve their home district, some a few neighbours,
a few the whole area or remote delivery; about one in ten is for young people or women only.
Capacities are random (they are illustrative in the shipped data too). Districts form force areas
of about ten; phone and online services serve their force area, and one in a hundred of them the
whole country (national helplines are few).

>>> d = synthetic_directory(200, n_districts=6, seed=1)
>>> len(d.pathways), len(d.districts)
(200, 6)
>>> d == synthetic_directory(200, n_districts=6, seed=1)   # same seed, same directory
True
"""

from __future__ import annotations

import math
import random
import string
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

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
    PostcodeDistrict,
    Site,
    Source,
    Town,
)

__all__ = ["shipped_taxonomy", "synthetic_directory"]

_NEED_WEIGHTS = {  # rough shares from OASys and the scheme's own lists (domain.md section 5)
    "accommodation": 8,
    "drugs": 9,
    "alcohol": 9,
    "mental_health": 9,
    "employment": 6,
    "education_training": 4,
    "debt": 6,
    "benefits_income": 5,
    "anger_management": 5,
    "thinking_attitudes": 6,
    "lifestyle_associates": 4,
    "emotional_wellbeing_counselling": 4,
    "family_relationships": 3,
    "domestic_abuse_perpetrator": 3,
    "domestic_abuse_victim": 3,
    "physical_health": 2,
    "neurodiversity_learning_disability": 2,
    "offence_specific_awareness": 3,
    "mentoring": 3,
    "logistical_support": 2,
    "gambling": 1,
    "sex_work_exploitation": 1,
}


@cache
def _taxonomy_files() -> dict[str, Any]:
    text = (resources.files("directory") / "data" / "needs.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def shipped_taxonomy() -> tuple[tuple[NeedGroup, ...], tuple[Need, ...]]:
    """The groups and needs of the shipped ``needs.yaml``."""
    raw = _taxonomy_files()
    groups = tuple(NeedGroup.model_validate(g) for g in raw["groups"])
    needs = tuple(Need.model_validate(n) for n in raw["needs"])
    return groups, needs


def _code(i: int) -> str:
    letters = string.ascii_uppercase
    return f"{letters[(i // 260) % 26]}{letters[(i // 10) % 26]}{i % 10}"


def synthetic_directory(
    n_pathways: int,
    *,
    n_districts: int = 6,
    seed: int = 0,
    today: date = date(2026, 10, 1),
) -> Directory:
    """A valid directory with ``n_pathways`` pathways over ``n_districts`` districts.

    Deterministic for a given seed. Districts sit on a grid with centres about 25 km apart.
    """
    rng = random.Random(seed)
    groups, needs = shipped_taxonomy()
    need_ids = [n.id for n in needs]
    weights = [_NEED_WEIGHTS.get(n, 1) for n in need_ids]

    side = math.ceil(math.sqrt(n_districts))
    n_areas = max(1, n_districts // 10)
    areas = tuple(Area(id=f"area_{a}", label=f"Area {a}") for a in range(n_areas))
    districts: list[District] = []
    towns: list[Town] = []
    postcodes: list[PostcodeDistrict] = []
    for i in range(n_districts):
        lat = 50.7 + (i // side) * min(0.22, 4.2 / side)
        lon = -4.0 + (i % side) * min(0.36, 5.4 / side)
        did = f"district_{i}"
        districts.append(
            District(
                id=did,
                label=f"District {i}",
                area=f"area_{i * n_areas // n_districts}",
                lat=lat,
                lon=lon,
            )
        )
        for t in range(2):
            towns.append(
                Town(
                    name=f"Town {i}-{t}",
                    district=did,
                    lat=round(lat + rng.uniform(-0.06, 0.06), 5),
                    lon=round(lon + rng.uniform(-0.1, 0.1), 5),
                    population=rng.randint(800, 60_000),
                )
            )
        postcodes.append(
            PostcodeDistrict(code=_code(i), district=did, lat=round(lat, 2), lon=round(lon, 2))
        )

    by_area: dict[str, tuple[str, ...]] = {}
    for x in districts:
        by_area[x.area] = (*by_area.get(x.area, ()), x.id)
    agencies: list[Agency] = []
    made = 0
    a = 0
    while made < n_pathways:
        home = districts[rng.randrange(n_districts)]
        home_i = int(home.id.rsplit("_", 1)[1])
        aid = f"agency-{a}"
        sites = tuple(
            Site(
                id=f"{aid}-site-{s}",
                name=f"Agency {a} site {s}",
                district=home.id,
                lat=round(home.lat + rng.uniform(-0.05, 0.05), 4),
                lon=round(home.lon + rng.uniform(-0.08, 0.08), 4),
                approximate=True,
            )
            for s in range(rng.choice((1, 1, 2)))
        )
        pathways: list[Pathway] = []
        for p in range(min(rng.choice((1, 1, 2, 2, 3, 4, 5)), n_pathways - made)):
            k = rng.choice((1, 1, 2, 2, 3, 4))
            chosen = sorted(set(rng.choices(need_ids, weights=weights, k=k)))
            roll = rng.random()
            delivery: tuple[str, ...] = ("in_person",)
            served: tuple[str, ...] | str
            if roll < 0.05:
                # phone/online: for the home force area; a national service is rare
                delivery = ("phone", "online")
                national = n_areas == 1 or rng.random() < 0.01
                served = "all" if national else by_area[home.area]
            elif roll < 0.65:
                served = (home.id,)
            else:
                near = {home_i + d for d in (-side, -1, 1, side)} & set(range(n_districts))
                served = tuple(sorted({home.id} | {f"district_{j}" for j in near}))
            if roll >= 0.05 and rng.random() < 0.15:
                delivery = ("in_person", "phone")
            kind = rng.random()
            if kind < 0.08:
                elig = Eligibility(
                    min_age=10,
                    max_age=17,
                    disposals=(
                        "youth_caution",
                        "youth_conditional_caution",
                        "community_resolution",
                    ),
                )
            elif kind < 0.16:
                elig = Eligibility(min_age=18, genders=("female",))
            elif kind < 0.22:
                elig = Eligibility(min_age=18, excluded_offences=("sexual", "hate_crime"))
            else:
                elig = Eligibility(min_age=18)
            pathways.append(
                Pathway.model_validate(
                    {
                        "id": f"{aid}-pathway-{p}",
                        "name": f"Agency {a} pathway {p}",
                        "needs": chosen,
                        "districts": served,
                        "delivery": delivery,
                        "sites": [s.id for s in sites] if "in_person" in delivery else [],
                        "eligibility": elig,
                        "capacity": Capacity(
                            places=rng.randint(2, 60),
                            per="month",
                            status="waitlist" if rng.random() < 0.05 else "open",
                            updated=today,
                            illustrative=True,
                        ),
                    }
                )
            )
        made += len(pathways)
        agencies.append(
            Agency(
                id=aid,
                name=f"Agency {a}",
                description="Synthetic agency for benchmarks.",
                sources=(Source(title="synthetic", evidence="guess"),),
                last_verified=today,
                illustrative="Everything in this agency is generated.",
                sites=sites if any(p.sites for p in pathways) else (),
                pathways=tuple(pathways),
            )
        )
        a += 1
    return Directory(
        attribution="Synthetic directory generated for benchmarks.",
        groups=groups,
        needs=needs,
        areas=areas,
        districts=tuple(districts),
        towns=tuple(towns),
        postcode_districts=tuple(postcodes),
        agencies=tuple(agencies),
    )
