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

from typing import TYPE_CHECKING

from directory import places
from directory.models import REMOTE
from directory.oruk import publishable
from directory.places import haversine_km

if TYPE_CHECKING:
    from directory.models import Directory, Pathway, Site

__all__ = ["distance_km", "nearest_site", "public_view", "reach"]


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
    """Great-circle distance in kilometres (:func:`directory.places.haversine_km`).

    >>> round(distance_km(52.5695, -0.2405, 52.6662, 0.1594))   # Peterborough to Wisbech
    29
    """
    return haversine_km((lat1, lon1), (lat2, lon2))


def nearest_site(
    directory: Directory, pathway: Pathway, lat: float, lon: float
) -> tuple[Site, float] | None:
    """The pathway's site nearest to a point and its distance in km, or None without sites
    (:func:`directory.places.nearest_site`)."""
    return places.nearest_site(directory, pathway, (lat, lon))
