"""Reading Open Referral UK values: JSON pointers, text, dates, points, slugs, the fields we carry.

Tolerant helpers for the importer: a value of the wrong type reads as ``None`` (or an empty list),
never as an exception.

>>> at("/contents", 0, "a/b")
'/contents/0/a~1b'
>>> text_of("  Wisbech "), text_of(""), text_of(3)
('Wisbech', None, None)
>>> date_of("2026-03-01T09:30:00Z"), date_of("1 March")
(datetime.date(2026, 3, 1), None)
>>> slug_of("St Giles Trust: Wisbech!", "agency"), slug_of("??", "agency")
('st-giles-trust-wisbech', 'agency')
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from directory.oruk.ids import EXTENSION

__all__ = [
    "ADDRESS_FIELDS",
    "AREA_FIELDS",
    "CONTACT_FIELDS",
    "KEBAB",
    "LOCATION_FIELDS",
    "ORG_FIELDS",
    "PER",
    "SERVICE_FIELDS",
    "STATUSES",
    "STRUCTURE",
    "at",
    "date_of",
    "has_data",
    "list_of",
    "point_of",
    "slug_of",
    "text_of",
]

_SLUG = re.compile(r"[^a-z0-9]+")
#: Our own ids (kebab case): an id in the extension object is kept when it matches.
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: The period a capacity unit names (its identifier or name).
PER = re.compile(r"\b(week|month|quarter)")
#: The service statuses of ORUK 3.0.
STATUSES = ("active", "inactive", "defunct", "temporarily closed")

#: Ids and links, and the extension object: carried by the structure, never reported.
STRUCTURE = frozenset(
    {"id", "service_id", "organization_id", "location_id", "link_id", "contact_id", EXTENSION}
)
# The fields carried, by record kind; any other field holding data is reported unsupported.
ORG_FIELDS = STRUCTURE | {"name", "description", "email", "website", "services"}
SERVICE_FIELDS = STRUCTURE | {
    "name",
    "description",
    "status",
    "minimum_age",
    "maximum_age",
    "eligibility_description",
    "application_process",
    "assured_date",
    "last_modified",
    "service_areas",
    "service_at_locations",
    "contacts",
    "phones",
    "attributes",
    "capacities",
    "organization",
    "url",
    "email",
}
LOCATION_FIELDS = STRUCTURE | {
    "location_type",
    "name",
    "description",
    "latitude",
    "longitude",
    "addresses",
}
ADDRESS_FIELDS = STRUCTURE | {
    "address_1",
    "city",
    "state_province",
    "postal_code",
    "country",
    "address_type",
}
AREA_FIELDS = STRUCTURE | {"name", "service_area"}
CONTACT_FIELDS = STRUCTURE | {"name", "title", "email", "phones"}


def slug_of(text: str, fallback: str) -> str:
    """``text`` as a kebab-case id of at most 80 characters, else ``fallback``."""
    slug = _SLUG.sub("-", text.casefold()).strip("-")[:80].strip("-")
    return slug or fallback


def has_data(value: Any) -> bool:
    """Whether a value holds anything (not None, nor an empty string, list or object)."""
    return value is not None and value != "" and value != [] and value != {}


def text_of(value: Any) -> str | None:
    """A non-blank string, stripped; anything else is None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def date_of(value: Any) -> date | None:
    """The date of an ISO date or date-time string; anything else is None."""
    if not isinstance(value, str):
        return None
    try:
        if "T" in value or " " in value.strip():
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _escape(key: str | int) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def at(pointer: str, *keys: str | int) -> str:
    """The JSON pointer ``pointer`` extended by ``keys`` (escaped as RFC 6901 says)."""
    return pointer + "".join("/" + _escape(k) for k in keys)


def point_of(lat: Any, lon: Any) -> tuple[float, float] | None:
    """``(lat, lon)`` when both are numbers (not booleans), else None."""
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (lat, lon)):
        return None
    return float(lat), float(lon)


def list_of(value: Any) -> list[Any]:
    """The value if it is a list, else an empty list."""
    return value if isinstance(value, list) else []
