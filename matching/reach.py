"""Whether a pathway is in reach of a person, how it would be delivered, and the travel it costs.

The one source of truth for reach: the matcher's compiled index, its explanations and the gaps
queries all decide with :func:`decide` (the rule, over plain values) or :func:`reach` (the same
rule for one pathway of a directory). Pure functions; no I/O, no state.

The rule
--------
A pathway reaches a person in one of four ways. Each way has a travel cost; the cheapest way is
the one used (ties: in person, outreach, phone, online):

============ ================================================== ==================================
delivery     when                                                travel counted
============ ================================================== ==================================
in person    it has a site and serves the person's district, or  distance to the nearest site
             its nearest site is within the travel limit
in person    it has no site and serves the person's district     distance to the district centre
             (the venue is arranged on referral)                 (an estimate)
outreach     it serves the person's district                     0 (staff come to the person)
phone/online the person accepts remote delivery and it serves    ``remote_km`` (default 0)
             their district, or it lists no districts at all
============ ================================================== ==================================

This is the rule of ``docs/directory-format.md`` ("serves their district, or a site within their
travel limit, or online or by phone") made precise on one point: remote delivery reaches the
districts a pathway serves (a council's phone line is for its own residents); a remote pathway
that lists no districts reaches everyone. ``districts: all`` serves every district.

Distances are great-circle (:func:`directory.places.haversine_km`, within 0.4% of the geodesic
in the United Kingdom), from the person's point (their town, postcode or coordinates, else their
district's centre). A hidden site (a refuge) is placed at its district's centre for every
distance, so no answer reveals where it is.

>>> r = decide(serves=False, listed=True, delivery=("in_person",), nearest=("s1", 31.2),
...            centre_km=3.0, travel_km=25.0, accept_remote=True)
>>> r.ok, r.reason
(False, '31 km away, beyond the 25 km travel limit')
>>> r = decide(serves=True, listed=True, delivery=("in_person", "phone"), nearest=("s1", 8.4),
...            centre_km=3.0, travel_km=25.0, accept_remote=True)
>>> r.ok, r.delivery, r.distance_km, r.site
(True, 'phone', 0.0, None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from directory.places import haversine_km, nearest_site, site_point

if TYPE_CHECKING:
    from collections.abc import Collection

    from directory.models import Directory, Pathway

__all__ = [
    "MODES",
    "Person",
    "Reach",
    "decide",
    "free_of_travel",
    "in_person",
    "nearest_site",
    "reach",
    "served_words",
    "site_point",
    "travel",
]

MODES: tuple[str, ...] = ("in_person", "outreach", "phone", "online")
"""Delivery modes in the order that breaks a tie of travel."""


class Person(Protocol):
    """Where a person is and how far they will go (:class:`~matching.assessment.Assessment`)."""

    @property
    def district(self) -> str: ...

    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...

    @property
    def travel_km(self) -> float: ...

    @property
    def accept_remote(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Reach:
    """How a pathway reaches a person, or why it does not.

    ``delivery`` is the mode used, ``distance_km`` the travel counted for it (0 remote or by
    outreach), ``site`` the site id for in-person delivery at a site (None otherwise).
    ``nearest_km`` is the distance to the pathway's nearest site whatever the mode (None
    without sites). ``reason`` says in words how it reaches, or every reason it does not.
    """

    ok: bool
    delivery: str | None
    distance_km: float
    site: str | None
    nearest_km: float | None
    reason: str


def _km(value: float) -> str:
    if value < 0.05:
        return "under 0.1"
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def travel(
    *,
    serves: bool,
    listed: bool,
    delivery: Collection[str],
    nearest: tuple[str, float] | None,
    centre_km: float,
    travel_km: float,
    accept_remote: bool,
    remote_km: float = 0.0,
) -> tuple[float, str, str | None] | None:
    """The cheapest way a pathway reaches a person: ``(km, mode, site)``, or None.

    The rule of the module notes over plain values; :func:`decide` adds the words. Parameters
    as :func:`decide`.

    >>> travel(serves=True, listed=True, delivery=("in_person",), nearest=("s1", 8.25),
    ...        centre_km=3.0, travel_km=5.0, accept_remote=True)
    (8.25, 'in_person', 's1')
    >>> travel(serves=False, listed=True, delivery=("phone",), nearest=None, centre_km=3.0,
    ...        travel_km=5.0, accept_remote=True) is None
    True
    """
    best: tuple[float, int, str, str | None] | None = None  # (km, mode rank, mode, site)
    if "in_person" in delivery:
        walk = in_person(serves, nearest, centre_km, travel_km)
        if walk is not None:
            best = (walk[0], 0, "in_person", walk[2])
    if serves and "outreach" in delivery:
        way = (0.0, 1, "outreach", None)
        if best is None or way < best:
            best = way
    if accept_remote and (serves or not listed):
        mode = "phone" if "phone" in delivery else "online" if "online" in delivery else None
        if mode is not None:
            way = (remote_km, 2 if mode == "phone" else 3, mode, None)
            if best is None or way < best:
                best = way
    return None if best is None else (best[0], best[2], best[3])


def in_person(
    serves: bool, nearest: tuple[str, float] | None, centre_km: float, travel_km: float
) -> tuple[float, str, str | None] | None:
    """The in-person way of :func:`travel` alone: ``(km, "in_person", site)``, or None.

    A site serving the district, or within the travel limit; with no site, a venue arranged on
    referral when the pathway serves the district (travel: the district centre's distance). For
    a pathway delivered only in person this *is* :func:`travel`, with the arguments in order.

    >>> in_person(False, ("s1", 12.0), 3.0, 10.0) is None
    True
    >>> in_person(True, None, 3.0, 10.0)
    (3.0, 'in_person', None)
    """
    if nearest is not None:
        if serves or nearest[1] <= travel_km:
            return (nearest[1], "in_person", nearest[0])
        return None
    return (centre_km, "in_person", None) if serves else None


def free_of_travel(
    *,
    serves: bool,
    listed: bool,
    delivery: Collection[str],
    accept_remote: bool,
    remote_km: float = 0.0,
) -> bool:
    """Whether a pathway reaches a person at no travel whatever their point.

    True when it comes to them by outreach in a district it serves, or by phone or online
    (counting ``remote_km == 0``) where remote delivery reaches them: then :func:`travel`
    returns 0 km for every point, as no way costs less than nothing. The matcher uses this to
    skip distances.

    >>> free_of_travel(serves=True, listed=True, delivery=("in_person", "outreach"),
    ...                accept_remote=False)
    True
    >>> free_of_travel(serves=False, listed=True, delivery=("phone",), accept_remote=True)
    False
    """
    if serves and "outreach" in delivery:
        return True
    remote = "phone" in delivery or "online" in delivery
    return remote and accept_remote and remote_km == 0 and (serves or not listed)


def decide(
    *,
    serves: bool,
    listed: bool,
    delivery: Collection[str],
    nearest: tuple[str, float] | None,
    centre_km: float,
    travel_km: float,
    accept_remote: bool,
    remote_km: float = 0.0,
    area: str = "",
) -> Reach:
    """The reach rule over plain values (see the module notes), with the reason in words.

    Parameters
    ----------
    serves : bool
        The pathway serves the person's district.
    listed : bool
        The pathway lists districts (``all`` counts as listed); a remote pathway listing none
        reaches everyone.
    delivery : collection of str
        The pathway's delivery modes.
    nearest : (site id, km) or None
        Its nearest site and the distance to it (hidden sites at their district's centre).
    centre_km : float
        Distance from the person to their district's centre (for in-person without a site).
    travel_km : float
        How far the person will travel.
    accept_remote : bool
        Whether the person accepts phone or online delivery.
    remote_km : float
        Travel counted for remote delivery (default 0).
    area : str
        Words for the districts the pathway serves, for reasons ("Peterborough").

    Returns
    -------
    Reach

    Examples
    --------
    >>> decide(serves=True, listed=True, delivery=("outreach",), nearest=None, centre_km=4.0,
    ...        travel_km=25.0, accept_remote=False).delivery
    'outreach'
    >>> decide(serves=False, listed=False, delivery=("online",), nearest=None, centre_km=0.0,
    ...        travel_km=25.0, accept_remote=False).reason
    'online or by phone only, and remote delivery is not accepted'
    """
    way = travel(
        serves=serves,
        listed=listed,
        delivery=delivery,
        nearest=nearest,
        centre_km=centre_km,
        travel_km=travel_km,
        accept_remote=accept_remote,
        remote_km=remote_km,
    )
    nearest_km = nearest[1] if nearest is not None else None
    if way is not None:
        km, mode, site = way
        return Reach(True, mode, km, site, nearest_km, _how(mode, km, site, serves))
    return Reach(
        False,
        None,
        0.0,
        None,
        nearest_km,
        _why_not(
            serves=serves,
            listed=listed,
            delivery=delivery,
            nearest=nearest,
            travel_km=travel_km,
            accept_remote=accept_remote,
            area=area,
        ),
    )


def _how(mode: str, km: float, site: str | None, serves: bool) -> str:
    if mode == "in_person" and site is not None:
        return f"in person, {_km(km)} km away" + ("" if serves else " (within the travel limit)")
    if mode == "in_person":
        return f"in person at a venue arranged on referral (about {_km(km)} km)"
    if mode == "outreach":
        return "outreach: staff come to the person"
    return f"by {mode}" if mode == "phone" else "online"


def _why_not(
    *,
    serves: bool,
    listed: bool,
    delivery: Collection[str],
    nearest: tuple[str, float] | None,
    travel_km: float,
    accept_remote: bool,
    area: str,
) -> str:
    reasons: list[str] = []
    in_person = "in_person" in delivery
    remote = "phone" in delivery or "online" in delivery
    if not serves:
        if in_person and nearest is not None:
            reasons.append(f"{_km(nearest[1])} km away, beyond the {travel_km:g} km travel limit")
        elif listed or not remote:
            reasons.append(f"serves {area} only" if area else "does not serve the district")
    if remote and (serves or not listed) and not accept_remote:
        only = "" if in_person or "outreach" in delivery else " only"
        reasons.append(f"online or by phone{only}, and remote delivery is not accepted")
    return "; ".join(reasons) or "not delivered in a way that reaches the person"


def served_words(directory: Directory, pathway: Pathway) -> str:
    """The districts a pathway serves, in words ("Peterborough and Fenland").

    >>> from directory.loading import load
    >>> d = load()
    >>> served_words(d, d.pathway_by_id["outside-links-brighter-tomorrow"])
    'Peterborough'
    """
    if pathway.districts == "all":
        return "every district"
    labels = [
        directory.district_by_id[d].label if d in directory.district_by_id else d
        for d in pathway.districts
    ]
    if not labels:
        return "no district"
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def reach(
    directory: Directory, pathway: Pathway, person: Person, *, remote_km: float = 0.0
) -> Reach:
    """Whether ``pathway`` reaches ``person``, how, and at what travel (see the module notes).

    Activity, eligibility and places are other questions.

    >>> from directory.loading import load
    >>> from matching.assessment import assess
    >>> d = load()
    >>> person = assess(d, needs="drugs", where="Wisbech", age=30)
    >>> reach(d, d.pathway_by_id["outside-links-brighter-tomorrow"], person).reason
    '... km away, beyond the 25 km travel limit'
    """
    point = (person.lat, person.lon)
    served = directory.served_districts(pathway)
    found = nearest_site(directory, pathway, point)
    centre = directory.district_by_id.get(person.district)
    centre_km = haversine_km(point, (centre.lat, centre.lon)) if centre is not None else 0.0
    return decide(
        serves=person.district in served,
        listed=pathway.districts == "all" or bool(pathway.districts),
        delivery=pathway.delivery,
        nearest=None if found is None else (found[0].id, found[1]),
        centre_km=centre_km,
        travel_km=person.travel_km,
        accept_remote=person.accept_remote,
        remote_km=remote_km,
        area=served_words(directory, pathway),
    )
