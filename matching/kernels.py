"""Distances from one point to many sites, in C when the extension is built.

:func:`site_km` is the haversine of :func:`directory.places.haversine_km`, operation for
operation, over arrays of sites given in radians with the cosines of their latitudes: the same
doubles as the Python code, whether the C extension ``matching._kernels`` (built at install;
optional) or :func:`site_km_python`, the reference, computes them.

>>> import math
>>> import numpy as np
>>> from directory.places import EARTH_RADIUS_KM, haversine_km
>>> wisbech, march = (52.666, 0.159), (52.551, 0.088)
>>> lat, lon = math.radians(wisbech[0]), math.radians(wisbech[1])
>>> sites = np.array([math.radians(march[0])]), np.array([math.radians(march[1])])
>>> cos = np.cos(sites[0])
>>> km = site_km((lat, lon, math.cos(lat)), sites[0], sites[1], cos, np.array([0, 0]))
>>> km.tolist() == [haversine_km(wisbech, march)] * 2
True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from directory.places import EARTH_RADIUS_KM

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy.typing as npt


def _compiled(name: str) -> Callable[..., None] | None:
    try:
        from matching import _kernels
    except ImportError:  # pragma: no cover - the extension is built wherever the tests run
        return None
    found: Callable[..., None] = getattr(_kernels, name)
    return found


_site_km_c = _compiled("site_km")
_nearest_km_c = _compiled("nearest_km")

__all__ = ["COMPILED", "nearest_km", "nearest_km_python", "site_km", "site_km_python"]

COMPILED: bool = _site_km_c is not None
"""Whether the C extension is in use."""

_TWO_R = 2.0 * EARTH_RADIUS_KM  # as haversine_km multiplies: (2.0 * R) * asin(...)


def site_km(
    point: tuple[float, float, float],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    cos: npt.NDArray[np.float64],
    index: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """Km from ``point`` (latitude and longitude in radians, cosine of the latitude) to the
    sites ``index`` of the arrays ``lat``, ``lon`` (radians) and ``cos``; one per index.

    ``O(len(index))``. Raises :class:`IndexError` for an index outside the arrays.
    """
    out = np.empty(len(index), dtype=np.float64)
    if _site_km_c is None:  # pragma: no cover
        out[:] = site_km_python(point, lat, lon, cos, index)
        return out
    _site_km_c(
        point[0],
        point[1],
        point[2],
        _TWO_R,
        np.ascontiguousarray(lat, dtype=np.float64),
        np.ascontiguousarray(lon, dtype=np.float64),
        np.ascontiguousarray(cos, dtype=np.float64),
        np.ascontiguousarray(index, dtype=np.int64),
        out,
    )
    return out


def site_km_python(
    point: tuple[float, float, float],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    cos: npt.NDArray[np.float64],
    index: npt.NDArray[np.int64],
) -> list[float]:
    """:func:`site_km` in Python: the reference (and the fallback without the extension)."""
    lat1, lon1, cos1 = point
    sin, asin, sqrt = math.sin, math.asin, math.sqrt
    la, lo, co = lat.tolist(), lon.tolist(), cos.tolist()
    out = []
    for t in index.tolist():
        if not 0 <= t < len(la):
            raise IndexError("site index out of range")
        h = sin((la[t] - lat1) / 2) ** 2 + cos1 * co[t] * sin((lo[t] - lon1) / 2) ** 2
        out.append(_TWO_R * asin(min(1.0, sqrt(h))))
    return out


def nearest_km(
    point: tuple[float, float, float],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    cos: npt.NDArray[np.float64],
    site_start: npt.NDArray[np.int64],
    site_flat: npt.NDArray[np.int64],
    slots: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """For each pathway of ``slots``, its nearest site from ``point`` and the km to it.

    Pathway ``p``'s sites are ``site_flat[site_start[p]:site_start[p + 1]]``, in id order; a
    tie keeps the first (the smaller id), as :meth:`matching.candidates.CandidateFinder._nearest`
    does; the km are :func:`site_km`'s. A pathway without sites gets ``inf`` and ``-1``.
    ``O(sites of the slots)``. Raises :class:`IndexError` for a slot or site outside the arrays.

    >>> import math
    >>> rad = [(math.radians(52.5), math.radians(0.1)), (math.radians(52.6), math.radians(0.2))]
    >>> lat = np.array([r[0] for r in rad])
    >>> lon = np.array([r[1] for r in rad])
    >>> point = (math.radians(52.6), math.radians(0.19), math.cos(math.radians(52.6)))
    >>> start, flat = np.array([0, 2, 2]), np.array([0, 1])
    >>> km, site = nearest_km(point, lat, lon, np.cos(lat), start, flat, np.array([0, 1]))
    >>> site.tolist(), km.tolist()[1]
    ([1, -1], inf)
    """
    km = np.empty(len(slots), dtype=np.float64)
    site = np.empty(len(slots), dtype=np.int64)
    if _nearest_km_c is None:  # pragma: no cover
        pairs = nearest_km_python(point, lat, lon, cos, site_start, site_flat, slots)
        km[:] = [p[0] for p in pairs]
        site[:] = [p[1] for p in pairs]
        return km, site
    _nearest_km_c(
        point[0],
        point[1],
        point[2],
        _TWO_R,
        np.ascontiguousarray(lat, dtype=np.float64),
        np.ascontiguousarray(lon, dtype=np.float64),
        np.ascontiguousarray(cos, dtype=np.float64),
        np.ascontiguousarray(site_start, dtype=np.int64),
        np.ascontiguousarray(site_flat, dtype=np.int64),
        np.ascontiguousarray(slots, dtype=np.int64),
        km,
        site,
    )
    return km, site


def nearest_km_python(
    point: tuple[float, float, float],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    cos: npt.NDArray[np.float64],
    site_start: npt.NDArray[np.int64],
    site_flat: npt.NDArray[np.int64],
    slots: npt.NDArray[np.int64],
) -> list[tuple[float, int]]:
    """:func:`nearest_km` in Python: the reference (and the fallback without the extension)."""
    start, flat = site_start.tolist(), site_flat.tolist()
    out = []
    for p in slots.tolist():
        if not 0 <= p < len(start) - 1:
            raise IndexError("pathway slot or site offsets out of range")
        sites = np.array(flat[start[p] : start[p + 1]], dtype=np.int64)
        best, at = math.inf, -1
        for t, d in zip(sites.tolist(), site_km_python(point, lat, lon, cos, sites), strict=True):
            if at < 0 or d < best:
                best, at = d, t
        out.append((best, at))
    return out
