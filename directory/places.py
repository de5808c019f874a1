"""Places: where a person lives, resolved to a district, and distances between points.

A :class:`Gazetteer` knows the directory's districts (ids, labels, aliases), towns, postcode
districts and their centres. :meth:`Gazetteer.resolve` turns what an officer types (a district, a
town, a postcode or outward code, coordinates) into a :class:`Locality`: the district and the
best point known for the person. It works offline; a geocoder is consulted only for text the
gazetteer does not know, and names are never matched fuzzily without asking: a misspelling is
refused with suggestions.

>>> import yaml
>>> from directory.models import Directory
>>> gazetteer = Gazetteer.from_directory(Directory.model_validate(yaml.safe_load('''
... areas: [{id: north, label: North}]
... districts:
...   - {id: fenland, label: Fenland, area: north, lat: 52.55131, lon: 0.08828, aliases: [fdc]}
... towns:
...   - {name: Wisbech, district: fenland, lat: 52.66622, lon: 0.15938}
...   - {name: March, district: fenland, lat: 52.55131, lon: 0.08828}
... postcode_districts:
...   - {code: PE13, district: fenland, lat: 52.67, lon: 0.14}
... ''')))
>>> gazetteer.resolve("wisbech")
Locality(district='fenland', area='north', lat=52.66622, lon=0.15938, kind='town', label='Wisbech')
>>> gazetteer.resolve("pe13 1ab").label, gazetteer.resolve("FDC").kind
('PE13', 'district')
>>> gazetteer.resolve((52.65, 0.15)).label
'52.65, 0.15 (near Wisbech)'
>>> gazetteer.resolve("Wisbeach")
Traceback (most recent call last):
...
directory.errors.UnknownPlaceError: unknown place 'Wisbeach'; did you mean 'Wisbech'?

Precedence and ambiguity
------------------------
Text is tried as a name first (a district's id, label or alias, then a town's name), then as a
postcode district or full postcode, then as coordinates ``"lat, lon"``, then (only if one is
given) with the geocoder. Names are compared normalised: case, accents and punctuation are
ignored, ``&`` is ``and`` and ``saint`` is ``st``. When one name belongs to places in two
different districts (a town of one district named like another district's alias, or two towns of
the same name), it is refused with both districts suggested rather than given to either; the
names concerned are listed by :attr:`Gazetteer.conflicts`. When a name is both a district and a
town of that same district ("Cambridge"), the district wins: same answer, the district's centre.

Coordinates belong to the district of the nearest known point (a town, a postcode district
centre or a district centre) when that point is within ``max_km`` (15 km) of them; farther away
they are outside the area and refused. Near a district boundary the nearest point may lie across
it: the rule is "nearest known place", not a boundary polygon.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

import numpy as np
from geopy.distance import geodesic
from rapidfuzz import fuzz, process

from directory.errors import InvalidArgumentError, UnknownPlaceError
from directory.taxonomy import normalise

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import numpy.typing as npt

    from directory.models import Directory, District, Pathway, PostcodeDistrict, Site, Town

__all__ = [
    "EARTH_RADIUS_KM",
    "MAX_KM",
    "Gazetteer",
    "GeocodedPoint",
    "Geocoder",
    "Locality",
    "LocalityKind",
    "Sites",
    "distance_km",
    "haversine_km",
    "haversine_many",
    "nearest_site",
    "nearest_sites",
    "place_key",
    "site_point",
]

LocalityKind = Literal["district", "town", "postcode", "coordinates", "geocoder"]

MAX_KM = 15.0
"""How far (km) coordinates may be from the nearest known place and still be in the area."""

EARTH_RADIUS_KM = 6371.0088
"""The mean Earth radius (IUGG) used by :func:`haversine_km`."""
_TWO_R = 2.0 * EARTH_RADIUS_KM

_OUTWARD = r"(?P<outward>[A-Z]{1,2}\d[A-Z\d]?)"
_POSTCODE = re.compile(rf"{_OUTWARD}(?:\s*\d[A-Z]{{2}})?")
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_COORDINATES = re.compile(rf"\(?\s*(?P<lat>{_NUMBER})\s*[,;\s]\s*(?P<lon>{_NUMBER})\s*\)?")
_SUGGEST_CUTOFF = 70.0
_SUGGEST_SPREAD = 20.0
_HAVERSINE_ERROR = 0.006  # haversine vs WGS-84 geodesic, anywhere on Earth


# ------------------------------------------------------------------------------------ distance
def _check_point(point: tuple[float, float]) -> tuple[float, float]:
    """Return ``point`` as two floats, or raise when it is not a latitude and a longitude."""
    try:
        lat, lon = (float(v) for v in point)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"{point!r} is not a (latitude, longitude) pair") from exc
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidArgumentError(f"({lat}, {lon}) is not a latitude and a longitude in degrees")
    return lat, lon


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The geodesic distance in km between two (latitude, longitude) points on the WGS-84 ellipsoid.

    Accurate to well under a millimetre (geopy's implementation of Karney's algorithm) and slow,
    about 0.3 ms: use :func:`haversine_km` for bulk work.

    >>> round(distance_km((52.57364, -0.24777), (52.2, 0.11667)), 1)  # Peterborough - Cambridge
    48.4
    >>> distance_km((52.2, 0.1), (52.2, 0.1))
    0.0
    """
    return float(geodesic(_check_point(a), _check_point(b)).km)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance in km on a sphere of :data:`EARTH_RADIUS_KM`: fast, for bulk.

    Against the WGS-84 geodesic it is at most 0.4% short anywhere in the United Kingdom (0.33%
    across Cambridgeshire & Peterborough, checked in the tests), and within 0.6% anywhere on Earth.
    About 1 µs; points are not validated.

    >>> round(haversine_km((52.57364, -0.24777), (52.2, 0.11667)), 1)
    48.4
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    s_lat = math.sin((lat2 - lat1) / 2)
    s_lon = math.sin((lon2 - lon1) / 2)
    h = s_lat * s_lat + math.cos(lat1) * math.cos(lat2) * (s_lon * s_lon)
    return _TWO_R * math.asin(min(1.0, math.sqrt(h)))


class Sites(NamedTuple):
    """Points as arrays for :func:`haversine_many` and :func:`nearest_sites`: latitudes and
    longitudes in radians and the cosines of the latitudes (worked out once).

    >>> s = Sites.of([(52.2, 0.12), (52.57, -0.25)])
    >>> len(s.lat), bool(s.cos[0] > 0)
    (2, True)
    """

    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    cos: npt.NDArray[np.float64]

    @staticmethod
    def of(points: Sequence[tuple[float, float]]) -> Sites:
        """The arrays of ``points`` (latitude, longitude in degrees)."""
        lat = np.radians(np.array([p[0] for p in points], dtype=np.float64))
        lon = np.radians(np.array([p[1] for p in points], dtype=np.float64))
        return Sites(lat, lon, np.cos(lat))


def haversine_many(
    point: tuple[float, float], sites: Sites, at: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.float64]:
    """:func:`haversine_km` from ``point`` to the sites ``at`` (default: every site).

    The same operations in the same order as :func:`haversine_km`, on arrays: with numpy's
    sine, arcsine and square root equal to :mod:`math`'s (as on the machines the tests run on;
    tested), the same floats to the last bit, else within a few units of the last place.
    ``O(len(at))``.

    >>> p, q = (52.57364, -0.24777), (52.2, 0.11667)
    >>> haversine_many(p, Sites.of([q])).tolist() == [haversine_km(p, q)]
    True
    """
    lat2, lon2, cos2 = sites if at is None else (sites.lat[at], sites.lon[at], sites.cos[at])
    lat1, lon1 = math.radians(point[0]), math.radians(point[1])
    s_lat = np.sin((lat2 - lat1) / 2)
    s_lon = np.sin((lon2 - lon1) / 2)
    h = s_lat * s_lat + math.cos(lat1) * cos2 * (s_lon * s_lon)
    km: npt.NDArray[np.float64] = _TWO_R * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return km


def nearest_sites(
    point: tuple[float, float],
    sites: Sites,
    start: npt.NDArray[np.int64],
    flat: npt.NDArray[np.int64],
    groups: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """For each group of ``groups``, its nearest site from ``point``: (km, site), one per group.

    Group ``g``'s sites are ``flat[start[g]:start[g + 1]]`` (indices into ``sites``), in the
    order that breaks ties (the first nearest wins: give them in id order for "ties to the
    smaller id"). A group without sites gets ``inf`` and ``-1``. Distances are
    :func:`haversine_many`'s. Numpy over every site of the groups at once:
    ``O(s log s)`` for ``s`` sites of the groups.

    >>> s = Sites.of([(52.5, 0.1), (52.6, 0.2)])
    >>> start, flat = np.array([0, 2, 2]), np.array([0, 1])
    >>> km, site = nearest_sites((52.6, 0.19), s, start, flat, np.array([0, 1]))
    >>> site.tolist(), km.tolist()[1]
    ([1, -1], inf)
    """
    first, stop = start[groups], start[groups + 1]
    counts = stop - first
    total = int(counts.sum())
    km = np.full(len(groups), math.inf)
    site = np.full(len(groups), -1, dtype=np.int64)
    if not total:
        return km, site
    offsets = np.cumsum(counts) - counts  # where each group's sites begin in the flat run
    run = flat[np.repeat(first - offsets, counts) + np.arange(total)]
    dist = haversine_many(point, sites, run)
    group_of = np.repeat(np.arange(len(groups)), counts)
    # by group, then distance, then position: each group's first is its nearest, ties first
    order = np.lexsort((dist, group_of))
    has = np.flatnonzero(counts)
    firsts = order[offsets[has]]
    km[has] = dist[firsts]
    site[has] = run[firsts]
    return km, site


def site_point(directory: Directory, site: Site) -> tuple[float, float]:
    """Where a site counts as being: its coordinates, or its district's centre when hidden.

    >>> from directory.loading import load
    >>> d = load()
    >>> refuge = next(s for s in d.site_by_id.values() if s.hidden)
    >>> centre = d.district_by_id[refuge.district]
    >>> site_point(d, refuge) == (centre.lat, centre.lon)
    True
    """
    if site.hidden:
        centre = directory.district_by_id.get(site.district)
        if centre is not None:
            return centre.lat, centre.lon
    return site.lat, site.lon


def nearest_site(
    directory: Directory, pathway: Pathway, point: tuple[float, float]
) -> tuple[Site, float] | None:
    """The pathway's nearest site to ``point`` (where it counts as being: :func:`site_point`)
    and its distance in km (:func:`haversine_km`; ties: smaller id). None without sites.

    >>> from directory.loading import load
    >>> d = load()
    >>> site, km = nearest_site(d, d.pathway_by_id["cwrc-domestic-abuse-support"], (52.66, 0.16))
    >>> site.id, round(km, 1)
    ('cwrc-peterborough-broadway', 28.8)
    """
    best: tuple[float, str, Site] | None = None
    for site in directory.sites_of(pathway):
        km = haversine_km(point, site_point(directory, site))
        if best is None or (km, site.id) < best[:2]:
            best = (km, site.id, site)
    return None if best is None else (best[2], best[0])


# ------------------------------------------------------------------------------------ places
def place_key(text: str) -> str:
    """The form place names are compared in: :func:`~directory.taxonomy.normalise`, saint as st.

    >>> place_key("Saint Neots"), place_key("St. Neots"), place_key("Stow-cum-Quy")
    ('st neots', 'st neots', 'stow cum quy')
    """
    return " ".join("st" if word == "saint" else word for word in normalise(text).split())


class GeocodedPoint(Protocol):
    """What a geocoder returns for a place it found (geopy's ``Location`` is one)."""

    @property
    def latitude(self) -> float: ...

    @property
    def longitude(self) -> float: ...


class Geocoder(Protocol):
    """Anything with ``geocode(query)`` returning a :class:`GeocodedPoint` or ``None``.

    Any geopy geocoder fits, for example ``geopy.geocoders.Nominatim(user_agent=...)``; wrap it
    in ``geopy.extra.rate_limiter.RateLimiter`` for batches. Errors it raises are not caught.
    """

    def geocode(self, query: str, /) -> GeocodedPoint | None: ...


@dataclass(frozen=True, slots=True)
class Locality:
    """Where a person lives: a district of an area, and the best point known for them.

    ``lat``/``lon`` is the town or postcode district centre when one was given, the coordinates
    when they were given (or geocoded), else the district centre. ``kind`` says which; ``label``
    names the place in words.
    """

    district: str
    area: str
    lat: float
    lon: float
    kind: LocalityKind
    label: str


class _Place(NamedTuple):
    kind: Literal["district", "town"]
    district: str
    label: str
    lat: float
    lon: float


class _Point(NamedTuple):
    name: str
    district: str
    lat: float
    lon: float


class Gazetteer:
    """An immutable index of a directory's districts, towns and postcode districts.

    Build it once with :meth:`from_directory` (or from districts, towns and postcode districts);
    look-ups are dictionary hits (a few µs), coordinates a scan of the ~200 known points (about
    70 µs), suggestions a rapidfuzz pass. It pickles (as its records) for worker processes.
    """

    __slots__ = (
        "_area",
        "_conflicts",
        "_label",
        "_max_km",
        "_names",
        "_points",
        "_postcodes",
        "_radians",
        "_shown",
        "_source",
    )

    _names: Mapping[str, tuple[_Place, ...]]
    _postcodes: Mapping[str, _Point]
    _points: tuple[_Point, ...]
    _radians: tuple[tuple[float, float, float], ...]
    _area: Mapping[str, str]
    _label: Mapping[str, str]
    _conflicts: Mapping[str, tuple[str, ...]]
    _shown: tuple[tuple[str, str], ...]
    _max_km: float
    _source: tuple[tuple[District, ...], tuple[Town, ...], tuple[PostcodeDistrict, ...]]

    def __init__(
        self,
        districts: Sequence[District],
        towns: Sequence[Town] = (),
        postcode_districts: Sequence[PostcodeDistrict] = (),
        *,
        max_km: float = MAX_KM,
    ) -> None:
        if not (math.isfinite(max_km) and max_km > 0):
            raise InvalidArgumentError(f"max_km must be a positive number of km, not {max_km}")
        names: dict[str, list[_Place]] = {}
        shown: dict[str, str] = {}
        points: list[_Point] = []
        for d in districts:
            place = _Place("district", d.id, d.label, d.lat, d.lon)
            for name in (d.id, d.label, *d.aliases):
                key = place_key(name)
                if key and place not in names.setdefault(key, []):
                    names[key].append(place)
            shown.setdefault(place_key(d.label), d.label)
        for t in towns:
            place = _Place("town", t.district, t.name, t.lat, t.lon)
            key = place_key(t.name)
            if key:
                names.setdefault(key, []).append(place)
                shown.setdefault(key, t.name)
            points.append(_Point(t.name, t.district, t.lat, t.lon))
        postcodes: dict[str, _Point] = {}
        for p in postcode_districts:
            postcodes[p.code] = _Point(p.code, p.district, p.lat, p.lon)
            points.append(postcodes[p.code])
        # district centres last: on a tie (a centre is its main town) the town names the point
        points.extend(_Point(d.label, d.id, d.lat, d.lon) for d in districts)
        conflicts = {
            key: tuple(dict.fromkeys(p.district for p in places))
            for key, places in names.items()
            if len({p.district for p in places}) > 1
        }
        self._set("_names", MappingProxyType({k: tuple(v) for k, v in names.items()}))
        self._set("_postcodes", MappingProxyType(postcodes))
        self._set("_points", tuple(points))
        self._set(
            "_radians",
            tuple(
                (math.radians(p.lat), math.radians(p.lon), math.cos(math.radians(p.lat)))
                for p in points
            ),
        )
        self._set("_area", MappingProxyType({d.id: d.area for d in districts}))
        self._set("_label", MappingProxyType({d.id: d.label for d in districts}))
        self._set("_conflicts", MappingProxyType(conflicts))
        self._set("_shown", tuple(shown.items()))
        self._set("_max_km", float(max_km))
        self._set("_source", (tuple(districts), tuple(towns), tuple(postcode_districts)))

    @classmethod
    def from_directory(cls, directory: Directory, *, max_km: float = MAX_KM) -> Gazetteer:
        """The gazetteer of a directory's districts, towns and postcode districts."""
        return cls(
            directory.districts, directory.towns, directory.postcode_districts, max_km=max_km
        )

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return (
            f"<Gazetteer of {len(self._area)} districts, {len(self._names)} names, "
            f"{len(self._postcodes)} postcode districts>"
        )

    def __reduce__(self) -> tuple[Callable[..., Gazetteer], tuple[object, ...]]:
        """Pickle as the records and rebuild the index on loading (for worker processes)."""
        return (_rebuild, (*self._source, self._max_km))

    @property
    def conflicts(self) -> Mapping[str, tuple[str, ...]]:
        """Names (normalised) that belong to places in more than one district, with the districts.

        Such names are refused by :meth:`resolve`; a validator can report them.
        """
        return self._conflicts

    @property
    def max_km(self) -> float:
        """How far coordinates may be from the nearest known place and still be in the area."""
        return self._max_km

    # ------------------------------------------------------------------------------ look-ups
    def suggest(self, text: str, limit: int = 3) -> list[tuple[str, float]]:
        """District labels and town names nearest to ``text``, with scores 0-100, best first.

        Scored with rapidfuzz's ``WRatio``, which also finds "Wisbech" in "Wisbech, Cambs";
        names scoring under 70, or more than 20 below the best, are left out.
        """
        if limit < 1:
            raise InvalidArgumentError(f"limit must be 1 or more, not {limit}")
        key = place_key(text)
        if not key:
            return []
        found = process.extract(
            key,
            [k for k, _ in self._shown],
            scorer=fuzz.WRatio,
            processor=None,
            limit=limit,
            score_cutoff=_SUGGEST_CUTOFF,
        )
        return [
            (self._shown[i][1], round(score, 1))
            for _, score, i in found
            if score >= found[0][1] - _SUGGEST_SPREAD
        ]

    def nearest(self, point: tuple[float, float]) -> tuple[str, str, float]:
        """The nearest known place to a point: its name, its district and the geodesic km.

        Known places are the towns, the postcode district centres and the district centres;
        "nearest" is measured on the sphere (:func:`haversine_km`), the distance returned on the
        ellipsoid (:func:`distance_km`).

        >>> import yaml
        >>> from directory.models import Directory
        >>> gazetteer = Gazetteer.from_directory(Directory.model_validate(yaml.safe_load('''
        ... areas: [{id: south, label: South}]
        ... districts: [{id: cambridge, label: Cambridge, area: south, lat: 52.2, lon: 0.11667}]
        ... ''')))
        >>> name, district, km = gazetteer.nearest((52.21, 0.12))
        >>> name, district, round(km, 2)
        ('Cambridge', 'cambridge', 1.14)
        """
        lat, lon = _check_point(point)
        best, _ = self._nearest(lat, lon)
        return best.name, best.district, distance_km((lat, lon), (best.lat, best.lon))

    def resolve(
        self, where: str | tuple[float, float], *, geocoder: Geocoder | None = None
    ) -> Locality:
        """The locality of a district, town, postcode, outward code or (latitude, longitude).

        See the module's notes for the order names are tried in, ambiguity and the coordinates
        rule. Text the gazetteer does not know goes to ``geocoder`` when one is given (its answer
        then takes the coordinates path, ``kind="geocoder"``); otherwise it is refused with
        :class:`~directory.errors.UnknownPlaceError` and the nearest names as suggestions.
        Impossible coordinates raise :class:`~directory.errors.InvalidArgumentError`.
        """
        if isinstance(where, tuple):
            return self._at(_check_point(where), "coordinates", None)
        if not isinstance(where, str):
            raise InvalidArgumentError(
                f"a place is text or a (latitude, longitude) pair: {where!r}"
            )
        text = " ".join(where.split())
        if not text:
            error = UnknownPlaceError(where)
            error.add_note("no place was given")
            raise error
        places = self._names.get(place_key(text))
        if places:
            districts = tuple(dict.fromkeys(p.district for p in places))
            if len(districts) > 1:
                error = UnknownPlaceError(text, [self._label.get(d, d) for d in districts])
                error.add_note(
                    f"ambiguous: {text!r} names "
                    + " and ".join(
                        f"a {p.kind} in {self._label.get(p.district, p.district)}" for p in places
                    )
                    + "; give the postcode or the district"
                )
                raise error
            place = places[0]
            area = self._area[place.district]
            return Locality(place.district, area, place.lat, place.lon, place.kind, place.label)
        postcode = _POSTCODE.fullmatch(text.upper())
        if postcode:
            outward = postcode.group("outward")
            known = self._postcodes.get(outward)
            if known is not None:
                area = self._area[known.district]
                return Locality(known.district, area, known.lat, known.lon, "postcode", outward)
        coordinates = _COORDINATES.fullmatch(text)
        if coordinates:
            point = _check_point((float(coordinates["lat"]), float(coordinates["lon"])))
            return self._at(point, "coordinates", None)
        if geocoder is not None:
            found = geocoder.geocode(text)
            if found is not None:
                point = _check_point((found.latitude, found.longitude))
                return self._at(point, "geocoder", text)
        error = UnknownPlaceError(text, [] if postcode else [s for s, _ in self.suggest(text)])
        if postcode:
            error.add_note(f"postcode district {postcode.group('outward')} is not in the area")
        elif geocoder is not None:
            error.add_note("the geocoder did not find it either")
        raise error

    # ------------------------------------------------------------------------------ helpers
    def _nearest(self, lat: float, lon: float) -> tuple[_Point, float]:
        """The nearest known point on the sphere, and its haversine distance in km."""
        if not self._points:
            raise UnknownPlaceError(f"{lat:g}, {lon:g}")
        phi, lam = math.radians(lat), math.radians(lon)
        cos_phi = math.cos(phi)
        best, best_h = 0, math.inf
        for index, (p_phi, p_lam, p_cos) in enumerate(self._radians):
            h = (
                math.sin((p_phi - phi) / 2) ** 2
                + cos_phi * p_cos * math.sin((p_lam - lam) / 2) ** 2
            )
            if h < best_h:
                best, best_h = index, h
        km = 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(best_h)))
        return self._points[best], km

    def _at(self, point: tuple[float, float], kind: LocalityKind, text: str | None) -> Locality:
        """The locality of coordinates: the district of the nearest known place within range.

        The range is decided on the haversine distance when it is clearly inside or outside
        (haversine is within 0.6% of the geodesic anywhere) and on the geodesic otherwise.
        """
        lat, lon = point
        shown = text if text is not None else f"{lat:g}, {lon:g}"
        place, km = self._nearest(lat, lon)
        inside = km * (1 + _HAVERSINE_ERROR) <= self._max_km
        if not inside and km * (1 - _HAVERSINE_ERROR) <= self._max_km:
            inside = distance_km(point, (place.lat, place.lon)) <= self._max_km
        if not inside:
            error = UnknownPlaceError(shown)
            geodesic_km = distance_km(point, (place.lat, place.lon))
            error.add_note(
                f"outside the area: {geodesic_km:.1f} km from the nearest known place "
                f"({place.name}), more than {self._max_km:g} km; coordinates are "
                "(latitude, longitude)"
            )
            raise error
        district = place.district
        label = f"{shown} (near {place.name})"
        return Locality(district, self._area[district], lat, lon, kind, label)


def _rebuild(
    districts: Sequence[District],
    towns: Sequence[Town],
    postcode_districts: Sequence[PostcodeDistrict],
    max_km: float,
) -> Gazetteer:
    return Gazetteer(districts, towns, postcode_districts, max_km=max_km)
