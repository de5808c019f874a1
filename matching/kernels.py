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


def _compiled() -> Callable[..., None] | None:
    try:
        from matching._kernels import site_km as compiled
    except ImportError:  # pragma: no cover - the extension is built wherever the tests run
        return None
    return compiled


_site_km_c = _compiled()

__all__ = ["COMPILED", "site_km", "site_km_python"]

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
