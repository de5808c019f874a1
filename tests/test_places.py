"""Places: districts, towns, postcodes and coordinates resolved to districts; distances."""

from __future__ import annotations

import math
import pickle
from dataclasses import FrozenInstanceError
from pathlib import Path
from typing import Any

import pytest
import yaml
from geopy.location import Location
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.errors import InvalidArgumentError, UnknownPlaceError
from directory.models import Directory
from directory.places import (
    MAX_KM,
    Gazetteer,
    Locality,
    distance_km,
    haversine_km,
    place_key,
)

DATA = Path(__file__).resolve().parents[1] / "directory" / "data"
LOCALITIES: dict[str, Any] = yaml.safe_load((DATA / "localities.yaml").read_text(encoding="utf-8"))
NEEDS: dict[str, Any] = yaml.safe_load((DATA / "needs.yaml").read_text(encoding="utf-8"))
AREA = {d["id"]: d["area"] for d in LOCALITIES["districts"]}

# Bounding box of the known places (towns, postcode districts) of Cambridgeshire & Peterborough.
COUNTY_LAT = (51.95, 52.75)
COUNTY_LON = (-0.55, 0.55)
UK_LAT = (49.8, 60.95)
UK_LON = (-8.7, 1.8)


def make_directory(**overrides: Any) -> Directory:
    """The shipped localities (and needs), with top-level keys replaced by ``overrides``."""
    return Directory.model_validate({**NEEDS, **LOCALITIES, **overrides})


SHIPPED = Gazetteer.from_directory(make_directory())  # immutable: safe to share


@pytest.fixture
def gazetteer() -> Gazetteer:
    return SHIPPED


class FakeGeocoder:
    """The documented duck-typed geocoder interface: ``geocode(query)`` -> location or None.

    Answers from a fixed table, with geopy's own ``Location`` as the answer, and records every
    query so tests can see when it was (not) consulted.
    """

    def __init__(self, table: dict[str, tuple[float, float]]) -> None:
        self.table = table
        self.queries: list[str] = []

    def geocode(self, query: str, /) -> Location | None:
        self.queries.append(query)
        point = self.table.get(query)
        return None if point is None else Location(query, point, {})


# ------------------------------------------------------------------------------------ names
@pytest.mark.parametrize("town", LOCALITIES["towns"], ids=lambda t: t["name"])
def test_every_town_resolves_to_its_district(gazetteer: Gazetteer, town: dict[str, Any]) -> None:
    for text in (town["name"], town["name"].upper(), f"  {town['name'].lower()} "):
        locality = gazetteer.resolve(text)
        assert locality.district == town["district"]
        assert locality.area == AREA[town["district"]]
        if locality.kind == "town":
            assert (locality.lat, locality.lon, locality.label) == (
                town["lat"],
                town["lon"],
                town["name"],
            )
        else:  # a town named like its own district (Peterborough, Cambridge): the district wins
            assert locality.kind == "district"
            assert place_key(locality.label) == place_key(town["name"])


@pytest.mark.parametrize("code", LOCALITIES["postcode_districts"], ids=lambda p: p["code"])
def test_every_postcode_district_resolves_to_its_district(
    gazetteer: Gazetteer, code: dict[str, Any]
) -> None:
    for text in (code["code"], code["code"].lower(), f" {code['code']} "):
        locality = gazetteer.resolve(text)
        assert locality == Locality(
            code["district"],
            AREA[code["district"]],
            code["lat"],
            code["lon"],
            "postcode",
            code["code"],
        )


DISTRICT_NAMES = [
    pytest.param(d["id"], name, id=f"{d['id']}:{name}")
    for d in LOCALITIES["districts"]
    for name in (d["id"], d["label"], *d.get("aliases", ()))
]


@pytest.mark.parametrize(("district", "name"), DISTRICT_NAMES)
def test_every_district_id_label_and_alias_resolves(
    gazetteer: Gazetteer, district: str, name: str
) -> None:
    (shipped,) = (d for d in LOCALITIES["districts"] if d["id"] == district)
    for text in (name, name.upper(), name.title()):
        locality = gazetteer.resolve(text)
        assert locality == Locality(
            district, shipped["area"], shipped["lat"], shipped["lon"], "district", shipped["label"]
        )


def test_shipped_names_have_no_conflicts(gazetteer: Gazetteer) -> None:
    assert dict(gazetteer.conflicts) == {}


@pytest.mark.parametrize(
    ("text", "district", "kind"),
    [
        ("Saint Neots", "huntingdonshire", "town"),
        ("St. Ives", "huntingdonshire", "town"),
        ("st-ives", "huntingdonshire", "town"),
        ("Stow-cum-Quy", "east_cambridgeshire", "town"),
        ("E. Cambs", "east_cambridgeshire", "district"),
        ("east_cambridgeshire", "east_cambridgeshire", "district"),
        ("City of Cambridge", "cambridge", "district"),
        ("HUNTINGDONSHIRE   DC", "huntingdonshire", "district"),
        ("P'boro", "peterborough", "district"),
    ],
)
def test_names_are_compared_normalised(
    gazetteer: Gazetteer, text: str, district: str, kind: str
) -> None:
    locality = gazetteer.resolve(text)
    assert (locality.district, locality.kind) == (district, kind)


def test_place_key() -> None:
    assert place_key("Saint Ives") == place_key("ST. IVES") == "st ives"
    assert place_key("Cambridge & Peterborough") == "cambridge and peterborough"
    assert place_key("saintsbury") == "saintsbury"


# ------------------------------------------------------------------------------------ postcodes
@pytest.mark.parametrize(
    ("text", "outward", "district"),
    [
        ("PE13 1AB", "PE13", "fenland"),
        ("pe131ab", "PE13", "fenland"),
        ("pe13  1ab", "PE13", "fenland"),
        ("PE1 5DU", "PE1", "peterborough"),
        ("pe15du", "PE1", "peterborough"),
        ("PE13AB", "PE1", "peterborough"),  # no space: the inward code is the last three
        ("CB1 1AA", "CB1", "cambridge"),
        ("cb11aa", "CB1", "cambridge"),
        ("CB25 9AA", "CB25", None),
        ("SG8 5AB", "SG8", "south_cambridgeshire"),
        ("PE29 3TN", "PE29", "huntingdonshire"),
    ],
)
def test_full_postcodes_resolve_by_their_outward_code(
    gazetteer: Gazetteer, text: str, outward: str, district: str | None
) -> None:
    (shipped,) = (p for p in LOCALITIES["postcode_districts"] if p["code"] == outward)
    locality = gazetteer.resolve(text)
    assert (locality.kind, locality.label) == ("postcode", outward)
    assert locality.district == (district or shipped["district"])
    assert (locality.lat, locality.lon) == (shipped["lat"], shipped["lon"])


@pytest.mark.parametrize("text", ["PE8 6AB", "pe8", "SW1A 1AA", "NR14 7XY"])
def test_postcodes_outside_the_area_are_refused(gazetteer: Gazetteer, text: str) -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve(text)
    assert caught.value.suggestions == ()
    assert any("not in the area" in note for note in caught.value.__notes__)


# ------------------------------------------------------------------------------------ coordinates
@pytest.mark.parametrize("town", LOCALITIES["towns"], ids=lambda t: t["name"])
def test_coordinates_of_every_town_resolve_to_its_district(
    gazetteer: Gazetteer, town: dict[str, Any]
) -> None:
    locality = gazetteer.resolve((town["lat"], town["lon"]))
    assert (locality.district, locality.kind) == (town["district"], "coordinates")
    assert (locality.lat, locality.lon) == (town["lat"], town["lon"])


MAIN_TOWNS = {
    "Peterborough": "peterborough",
    "Wisbech": "fenland",
    "March": "fenland",
    "Whittlesey": "fenland",
    "Chatteris": "fenland",
    "Huntingdon": "huntingdonshire",
    "St Neots": "huntingdonshire",
    "St Ives": "huntingdonshire",
    "Ramsey": "huntingdonshire",
    "Ely": "east_cambridgeshire",
    "Soham": "east_cambridgeshire",
    "Littleport": "east_cambridgeshire",
    "Cambourne": "south_cambridgeshire",
    "Sawston": "south_cambridgeshire",
    "Melbourn": "south_cambridgeshire",
    "Cambridge": "cambridge",
}


def _offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    return (
        lat + north_km / 111.2,
        lon + east_km / (111.2 * math.cos(math.radians(lat))),
    )


@pytest.mark.parametrize(("name", "district"), MAIN_TOWNS.items())
@pytest.mark.parametrize(("north", "east"), [(0.8, 0), (-0.8, 0), (0, 0.8), (0, -0.8)])
def test_points_near_main_towns_resolve_to_their_district(
    gazetteer: Gazetteer, name: str, district: str, north: float, east: float
) -> None:
    (town,) = (t for t in LOCALITIES["towns"] if t["name"] == name)
    locality = gazetteer.resolve(_offset(town["lat"], town["lon"], north, east))
    assert locality.district == district


@pytest.mark.parametrize("district", LOCALITIES["districts"], ids=lambda d: d["id"])
def test_district_centres_resolve_to_their_district(
    gazetteer: Gazetteer, district: dict[str, Any]
) -> None:
    assert gazetteer.resolve((district["lat"], district["lon"])).district == district["id"]


@pytest.mark.parametrize(
    "text", ["52.66622, 0.15938", "(52.66622,0.15938)", "52.66622 0.15938", " +52.66622 ; .15938 "]
)
def test_coordinates_as_text(gazetteer: Gazetteer, text: str) -> None:
    locality = gazetteer.resolve(text)
    assert (locality.district, locality.kind) == ("fenland", "coordinates")
    assert (locality.lat, locality.lon) == (52.66622, 0.15938)
    assert locality.label == "52.6662, 0.15938 (near Wisbech)"


@pytest.mark.parametrize(
    "point",
    [
        (51.5074, -0.1278),  # London
        (52.95, 1.2),  # the North Sea off Norfolk
        (53.5, 0.5),  # the North Sea off Lincolnshire
        (0.15938, 52.66622),  # Wisbech with latitude and longitude swapped
    ],
)
def test_points_outside_the_area_are_refused(
    gazetteer: Gazetteer, point: tuple[float, float]
) -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve(point)
    assert any(note.startswith("outside the area") for note in caught.value.__notes__)


def test_the_range_is_fifteen_km_from_the_nearest_known_place(gazetteer: Gazetteer) -> None:
    assert MAX_KM == 15.0
    # due west of Wittering, the westernmost known place
    inside = _offset(52.60698, -0.44048, 0, -14.5)
    outside = _offset(52.60698, -0.44048, 0, -15.5)
    assert gazetteer.resolve(inside).district == "peterborough"
    with pytest.raises(UnknownPlaceError):
        gazetteer.resolve(outside)
    narrow = Gazetteer.from_directory(make_directory(), max_km=5)
    with pytest.raises(UnknownPlaceError):
        narrow.resolve(_offset(52.60698, -0.44048, 0, -6))
    assert narrow.max_km == 5.0


@pytest.mark.parametrize(
    "where", [(95.0, 0.0), (52.0, 181.0), (math.nan, 0.0), (52.0, math.inf), "95, 0", "52, -200"]
)
def test_impossible_coordinates_are_misuse(
    gazetteer: Gazetteer, where: str | tuple[float, float]
) -> None:
    with pytest.raises(InvalidArgumentError):
        gazetteer.resolve(where)


def test_nearest(gazetteer: Gazetteer) -> None:
    name, district, km = gazetteer.nearest((52.67, 0.16))
    assert (name, district) == ("Wisbech", "fenland")
    assert km == pytest.approx(distance_km((52.67, 0.16), (52.66622, 0.15938)))


# ------------------------------------------------------------------------------------ unknown
@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Wisbeach", "Wisbech"),
        ("Hunington", "Huntingdon"),
        ("St Neotts", "St Neots"),
        ("Whittlesea", "Whittlesey"),
        ("Peterboro", "Peterborough"),
        ("Cambourn", "Cambourne"),
        ("Ramsay", "Ramsey"),
        ("Wisbech, Cambs", "Wisbech"),
        ("Fenlands", "Fenland"),
    ],
)
def test_misspellings_are_refused_with_suggestions(
    gazetteer: Gazetteer, text: str, suggestion: str
) -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve(text)
    assert caught.value.text == text
    assert caught.value.suggestions[0] == suggestion
    assert len(caught.value.suggestions) <= 3


def test_unrelated_text_gets_no_far_fetched_suggestions(gazetteer: Gazetteer) -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve("xyzzy")
    assert caught.value.suggestions == ()
    assert gazetteer.suggest("Wisbeach", limit=1) == [("Wisbech", 93.3)]
    with pytest.raises(InvalidArgumentError):
        gazetteer.suggest("Wisbech", limit=0)


@pytest.mark.parametrize("where", ["", "   "])
def test_empty_text_is_unknown(gazetteer: Gazetteer, where: str) -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve(where)
    assert caught.value.suggestions == ()


def test_other_types_are_misuse(gazetteer: Gazetteer) -> None:
    with pytest.raises(InvalidArgumentError):
        gazetteer.resolve(52)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        gazetteer.resolve((52.0,))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ ambiguity
def test_a_town_named_like_another_districts_alias_is_refused() -> None:
    towns = [
        *LOCALITIES["towns"],
        {"name": "Hunts", "district": "fenland", "lat": 52.6, "lon": 0.1},
    ]
    gazetteer = Gazetteer.from_directory(make_directory(towns=towns))
    assert dict(gazetteer.conflicts) == {"hunts": ("huntingdonshire", "fenland")}
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve("HUNTS")
    assert caught.value.suggestions == ("Huntingdonshire", "Fenland")
    (note,) = caught.value.__notes__
    assert "a district in Huntingdonshire and a town in Fenland" in note
    assert gazetteer.resolve("Huntingdonshire").district == "huntingdonshire"


def test_two_towns_of_one_name_in_different_districts_are_refused() -> None:
    towns = [
        *LOCALITIES["towns"],
        {"name": "Sutton", "district": "huntingdonshire", "lat": 52.5, "lon": -0.3},
    ]
    gazetteer = Gazetteer.from_directory(make_directory(towns=towns))
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve("Sutton")
    assert set(caught.value.suggestions) == {"East Cambridgeshire", "Huntingdonshire"}


def test_a_district_named_like_its_own_town_is_the_district(gazetteer: Gazetteer) -> None:
    locality = gazetteer.resolve("Cambridge")
    assert (locality.district, locality.kind, locality.label) == (
        "cambridge",
        "district",
        "Cambridge",
    )


# ------------------------------------------------------------------------------------ geocoder
def test_the_geocoder_is_used_only_for_text_the_gazetteer_does_not_know(
    gazetteer: Gazetteer,
) -> None:
    geocoder = FakeGeocoder({"Wisbech St Mary": (52.6518, 0.0981)})
    for where in ("Wisbech", "PE13 1AB", "fenland", "52.66, 0.16", (52.66, 0.16)):
        gazetteer.resolve(where, geocoder=geocoder)
    assert geocoder.queries == []
    locality = gazetteer.resolve("Wisbech St Mary", geocoder=geocoder)
    assert geocoder.queries == ["Wisbech St Mary"]
    assert locality == Locality(
        "fenland", "north", 52.6518, 0.0981, "geocoder", "Wisbech St Mary (near PE13)"
    )


def test_a_postcode_outside_the_list_may_be_geocoded(gazetteer: Gazetteer) -> None:
    geocoder = FakeGeocoder({"PE8 6AB": (52.5785, -0.4200)})  # Wansford
    locality = gazetteer.resolve("PE8 6AB", geocoder=geocoder)
    assert (locality.district, locality.kind) == ("peterborough", "geocoder")


def test_what_the_geocoder_cannot_place_is_still_refused(gazetteer: Gazetteer) -> None:
    geocoder = FakeGeocoder({"Buckingham Palace": (51.5014, -0.1419)})
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve("Buckingham Palace", geocoder=geocoder)
    assert any(note.startswith("outside the area") for note in caught.value.__notes__)
    with pytest.raises(UnknownPlaceError) as caught:
        gazetteer.resolve("Wisbeach", geocoder=geocoder)
    assert caught.value.suggestions[0] == "Wisbech"
    assert geocoder.queries == ["Buckingham Palace", "Wisbeach"]


# ------------------------------------------------------------------------------------ objects
def test_locality_and_gazetteer_are_immutable(gazetteer: Gazetteer) -> None:
    locality = gazetteer.resolve("Ely")
    with pytest.raises(FrozenInstanceError):
        locality.district = "fenland"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        gazetteer._max_km = 100.0
    assert "6 districts" in repr(gazetteer)


def test_gazetteer_pickles_for_worker_processes(gazetteer: Gazetteer) -> None:
    copy = pickle.loads(pickle.dumps(Gazetteer.from_directory(make_directory(), max_km=9)))
    assert copy.max_km == 9.0
    assert copy.resolve("pe131ab") == gazetteer.resolve("pe131ab")
    assert copy.resolve((52.6, 0.1)) == gazetteer.resolve((52.6, 0.1))


def test_built_from_records_or_directory_alike(gazetteer: Gazetteer) -> None:
    directory = make_directory()
    built = Gazetteer(directory.districts, directory.towns, directory.postcode_districts)
    for where in ("Ely", "CB6 1AA", "hunts", (52.3, 0.0)):
        assert built.resolve(where) == gazetteer.resolve(where)


@pytest.mark.parametrize("max_km", [0, -1, math.nan, math.inf])
def test_max_km_must_be_a_positive_distance(max_km: float) -> None:
    with pytest.raises(InvalidArgumentError):
        Gazetteer.from_directory(make_directory(), max_km=max_km)


def test_a_directory_without_places_knows_nothing() -> None:
    gazetteer = Gazetteer.from_directory(Directory())
    with pytest.raises(UnknownPlaceError):
        gazetteer.resolve("Wisbech")
    with pytest.raises(UnknownPlaceError):
        gazetteer.resolve((52.66, 0.16))


# ------------------------------------------------------------------------------------ distance
def test_distance_between_known_places() -> None:
    peterborough, cambridge = (52.57364, -0.24777), (52.2, 0.11667)
    assert distance_km(peterborough, cambridge) == pytest.approx(48.418, abs=0.001)
    assert haversine_km(peterborough, cambridge) == pytest.approx(48.351, abs=0.001)
    with pytest.raises(InvalidArgumentError):
        distance_km((91.0, 0.0), cambridge)


def points(
    lat: tuple[float, float], lon: tuple[float, float]
) -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(
        st.floats(*lat, allow_nan=False, allow_infinity=False),
        st.floats(*lon, allow_nan=False, allow_infinity=False),
    )


COUNTY = points(COUNTY_LAT, COUNTY_LON)
UK = points(UK_LAT, UK_LON)


@given(COUNTY, COUNTY)
def test_distance_is_symmetric_and_zero_only_on_the_same_point(
    a: tuple[float, float], b: tuple[float, float]
) -> None:
    assert distance_km(a, b) == pytest.approx(distance_km(b, a), rel=1e-12, abs=1e-9)
    assert distance_km(a, a) == 0.0
    assert haversine_km(a, a) == 0.0
    assert distance_km(a, b) >= 0.0


@given(COUNTY, COUNTY)
def test_haversine_is_within_half_a_percent_of_the_geodesic_in_the_county(
    a: tuple[float, float], b: tuple[float, float]
) -> None:
    geodesic, fast = distance_km(a, b), haversine_km(a, b)
    assert abs(fast - geodesic) <= 0.005 * geodesic + 1e-6


@given(UK, UK)
def test_haversine_is_within_the_documented_bound_across_the_uk(
    a: tuple[float, float], b: tuple[float, float]
) -> None:
    geodesic, fast = distance_km(a, b), haversine_km(a, b)
    assert abs(fast - geodesic) <= 0.004 * geodesic + 1e-6


# ---------------------------------------------------------------------------------------------
# One haversine: the array form equals the scalar one, and the nearest site is the first nearest
# ---------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    point=st.tuples(st.floats(-89, 89), st.floats(-179, 179)),
    others=st.lists(st.tuples(st.floats(-89, 89), st.floats(-179, 179)), min_size=1, max_size=30),
)
def test_haversine_many_equals_haversine_km(
    point: tuple[float, float], others: list[tuple[float, float]]
) -> None:
    """The same formula on arrays: equal to the last bit where numpy's sine, arcsine and square
    root are the C library's (as here), and within a micrometre anywhere."""
    from directory.places import Sites, haversine_km, haversine_many

    got = haversine_many(point, Sites.of(others)).tolist()
    expected = [haversine_km(point, q) for q in others]
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert got == expected  # numpy's trigonometry is libm's on the machines the tests run on


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    point=st.tuples(st.floats(50, 53), st.floats(-2, 1)),
    sites=st.lists(st.tuples(st.floats(50, 53), st.floats(-2, 1)), min_size=1, max_size=12),
    groups=st.lists(st.lists(st.integers(0, 11), max_size=5), min_size=1, max_size=8),
    twins=st.booleans(),
)
def test_nearest_sites_is_the_first_nearest_of_each_group(
    point: tuple[float, float],
    sites: list[tuple[float, float]],
    groups: list[list[int]],
    twins: bool,
) -> None:
    """Against a loop over each group's sites with haversine_km: the nearest, ties to the first
    given; a group without sites gets inf and -1 (``twins``: every site doubled, so ties)."""
    import math

    import numpy as np

    from directory.places import Sites, haversine_km, nearest_sites

    if twins:
        sites = [s for s in sites for _ in range(2)]
    groups = [[t for t in g if t < len(sites)] for g in groups]
    start = np.array([0, *np.cumsum([len(g) for g in groups])], dtype=np.int64)
    flat = np.array([t for g in groups for t in g], dtype=np.int64)
    km, site = nearest_sites(point, Sites.of(sites), start, flat, np.arange(len(groups)))
    for k, g in enumerate(groups):
        best, at = math.inf, -1
        for t in g:
            d = haversine_km(point, sites[t])
            if at < 0 or d < best:
                best, at = d, t
        assert (km[k], site[k]) == (best, at)
