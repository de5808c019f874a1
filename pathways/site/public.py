"""What the website may show: the directory without hidden sites, and where each pathway reaches.

Hidden sites (refuges) are removed here, once, before any page or download is rendered: the page
renderers never see them, so they cannot leak a name, an address, a postcode or coordinates, and
no distance is ever measured from them. The removal is :func:`directory.oruk.publishable`, the
same that the Open Referral UK export applies, so the site and the exports publish one thing.

>>> from directory.loading import load
>>> shipped = load()
>>> view = public_view(shipped)
>>> any(s.hidden for a in view.agencies for s in a.sites)
False
>>> len(view.pathways) == len(shipped.pathways)
True
"""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt
from typing import TYPE_CHECKING

from directory.models import REMOTE
from directory.oruk import publishable

if TYPE_CHECKING:
    from directory.models import Directory, Pathway, Site

__all__ = ["distance_km", "nearest_site", "public_view", "reach"]

_EARTH_RADIUS_KM = 6371.0088


def public_view(directory: Directory) -> Directory:
    """A copy of ``directory`` with every hidden site removed from agencies and pathways."""
    return publishable(directory)


def reach(directory: Directory, pathway: Pathway) -> frozenset[str]:
    """The district ids where an active pathway is available, by the validator's rule.

    A pathway is available in the districts it serves and in the districts of its sites; a
    pathway delivered online or by phone that names no district is available everywhere.
    Inactive pathways reach nowhere.
    """
    if not pathway.active:
        return frozenset()
    districts = set(directory.served_districts(pathway))
    districts |= {s.district for s in directory.sites_of(pathway)}
    if REMOTE & set(pathway.delivery) and not pathway.districts:
        districts |= {d.id for d in directory.districts}
    return frozenset(districts)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine; within 0.5% of geodesic here).

    >>> round(distance_km(52.5695, -0.2405, 52.6662, 0.1594))   # Peterborough to Wisbech
    29
    """
    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    h = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * asin(sqrt(h))


def nearest_site(
    directory: Directory, pathway: Pathway, lat: float, lon: float
) -> tuple[Site, float] | None:
    """The pathway's site nearest to a point and its distance in km, or None without sites."""
    best: tuple[Site, float] | None = None
    for site in directory.sites_of(pathway):
        km = distance_km(lat, lon, site.lat, site.lon)
        if best is None or (km, site.id) < (best[1], best[0].id):
            best = (site, km)
    return best
