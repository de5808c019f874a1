"""matching.kernels: the C distances are the Python distances, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.places import haversine_km
from matching import kernels

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
points = st.tuples(latitudes, longitudes)


def radians(points: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lat = np.array([math.radians(p[0]) for p in points], dtype=np.float64)
    lon = np.array([math.radians(p[1]) for p in points], dtype=np.float64)
    cos = np.array([math.cos(math.radians(p[0])) for p in points], dtype=np.float64)
    return lat, lon, cos


def test_the_extension_is_built() -> None:
    """The tests run where the package was installed with its C extension (a compiler is on
    every machine here); without it, site_km falls back to the Python reference."""
    assert kernels.COMPILED


@settings(max_examples=3000, deadline=None)
@given(
    person=points,
    sites=st.lists(points, min_size=1, max_size=8),
    picks=st.lists(st.integers(0, 7), max_size=12),
)
def test_c_equals_python_and_haversine_bit_for_bit(
    person: tuple[float, float], sites: list[tuple[float, float]], picks: list[int]
) -> None:
    lat, lon, cos = radians(sites)
    index = np.array([i % len(sites) for i in picks], dtype=np.int64)
    lat1 = math.radians(person[0])
    point = (lat1, math.radians(person[1]), math.cos(lat1))
    got = kernels.site_km(point, lat, lon, cos, index).tolist()
    assert got == kernels.site_km_python(point, lat, lon, cos, index)
    assert got == [haversine_km(person, sites[i]) for i in index.tolist()]


def test_near_points_antipodes_and_the_same_point() -> None:
    """Where asin's argument reaches 1 (antipodes) and where h is 0 or tiny."""
    sites = [(52.2, 0.12), (-52.2, -179.88), (52.2000001, 0.1200001), (0.0, 0.0), (90.0, 0.0)]
    lat, lon, cos = radians(sites)
    index = np.arange(len(sites), dtype=np.int64)
    for person in [*sites, (-90.0, 45.0), (0.0, 180.0)]:
        lat1 = math.radians(person[0])
        point = (lat1, math.radians(person[1]), math.cos(lat1))
        got = kernels.site_km(point, lat, lon, cos, index).tolist()
        assert got == [haversine_km(person, s) for s in sites]


def test_bad_arrays_are_refused() -> None:
    lat, lon, cos = radians([(52.2, 0.12)])
    point = (0.9, 0.002, 0.6)
    with pytest.raises(IndexError):
        kernels.site_km(point, lat, lon, cos, np.array([1], dtype=np.int64))
    with pytest.raises(IndexError):
        kernels.site_km(point, lat, lon, cos, np.array([-1], dtype=np.int64))
    from matching._kernels import site_km

    out = np.empty(1)
    with pytest.raises(TypeError, match="index"):
        site_km(*point, 12742.0, lat, lon, cos, np.array([0], dtype=np.int32), out)
    with pytest.raises(TypeError, match="lat"):
        site_km(*point, 12742.0, lat.astype(np.float32), lon, cos, np.array([0]), out)
    with pytest.raises(ValueError, match="must match"):
        site_km(*point, 12742.0, lat, lon[:0], cos, np.array([0]), out)
    with pytest.raises(ValueError, match="must match"):
        site_km(*point, 12742.0, lat, lon, cos, np.array([0]), np.empty(2))
    frozen = np.empty(1)
    frozen.flags.writeable = False
    with pytest.raises((BufferError, ValueError)):  # numpy refuses a writable view
        site_km(*point, 12742.0, lat, lon, cos, np.array([0]), frozen)
    strided = np.zeros(4)[::2]
    with pytest.raises((BufferError, ValueError)):  # not contiguous
        site_km(*point, 12742.0, strided, strided, strided, np.array([0]), out)


# ---------------------------------------------------------------------------------------------
# nearest_km: each pathway's nearest site
# ---------------------------------------------------------------------------------------------


@settings(max_examples=2000, deadline=None)
@given(
    person=points,
    sites=st.lists(points, min_size=1, max_size=6),
    pathways=st.lists(st.lists(st.integers(0, 5), max_size=4), min_size=1, max_size=6),
    picks=st.lists(st.integers(0, 5), max_size=8),
    repeat=st.booleans(),
)
def test_nearest_equals_python_and_the_first_smallest_haversine(
    person: tuple[float, float],
    sites: list[tuple[float, float]],
    pathways: list[list[int]],
    picks: list[int],
    repeat: bool,
) -> None:
    """The C nearest site is the Python reference's and the first smallest haversine of the
    pathway's sites in order (so a tie keeps the smaller id), bit for bit; none: inf, -1.
    ``repeat`` puts the same site twice, or two sites at one place, to make ties."""
    if repeat:
        sites = sites + sites[:1]
    lat, lon, cos = radians(sites)
    lists = [sorted({t % len(sites) for t in p}) for p in pathways]
    start = np.array([0, *np.cumsum([len(x) for x in lists])], dtype=np.int64)
    flat = np.array([t for x in lists for t in x], dtype=np.int64)
    slots = np.array([k % len(lists) for k in picks], dtype=np.int64)
    lat1 = math.radians(person[0])
    point = (lat1, math.radians(person[1]), math.cos(lat1))
    km, site = kernels.nearest_km(point, lat, lon, cos, start, flat, slots)
    got = list(zip(km.tolist(), site.tolist(), strict=True))
    assert got == kernels.nearest_km_python(point, lat, lon, cos, start, flat, slots)
    for (d, t), p in zip(got, slots.tolist(), strict=True):
        if not lists[p]:
            assert (d, t) == (math.inf, -1)
            continue
        dists = [haversine_km(person, sites[s]) for s in lists[p]]
        first = dists.index(min(dists))
        assert (d, t) == (dists[first], lists[p][first])


def test_nearest_rejects_bad_offsets_and_arrays() -> None:
    lat, lon, cos = radians([(52.2, 0.12), (52.3, 0.13)])
    point = (lat[0], lon[0], cos[0])
    start, flat = np.array([0, 1, 2], dtype=np.int64), np.array([0, 1], dtype=np.int64)
    with pytest.raises(IndexError):
        kernels.nearest_km(point, lat, lon, cos, start, flat, np.array([2], dtype=np.int64))
    with pytest.raises(IndexError):
        kernels.nearest_km(point, lat, lon, cos, start, np.array([0, 5]), np.array([1]))
    with pytest.raises(IndexError):
        kernels.nearest_km(point, lat, lon, cos, np.array([0, 3, 2]), flat, np.array([0]))
    from matching._kernels import nearest_km

    km, site = np.empty(1), np.empty(1, dtype=np.int64)
    with pytest.raises(ValueError, match="must match"):
        nearest_km(*point, 12742.0, lat, lon, cos, start, flat, np.array([0, 1]), km, site)
    with pytest.raises(TypeError):
        nearest_km(
            *point, 12742.0, lat, lon, cos, start.astype(np.int32), flat, np.array([0]), km, site
        )
