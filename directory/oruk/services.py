"""Open Referral UK import: a service's needs, districts, eligibility, status and capacity."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from directory.errors import PathwaysError
from directory.oruk.fields import AREA_FIELDS, PER, STATUSES, at, date_of, list_of, text_of

if TYPE_CHECKING:
    from directory.oruk.state import ImportState

__all__ = [
    "need_of",
    "read_age",
    "read_capacity",
    "read_districts",
    "read_eligibility",
    "read_needs",
    "read_status_and_capacity",
]


def read_needs(state: ImportState, svc: dict[str, Any], pointer: str, name: str) -> list[str]:
    """The needs a service's attributes map to, in order; each unmapped term reported."""
    found: list[str] = []
    for k, attribute in enumerate(list_of(svc.get("attributes"))):
        where = at(pointer, "attributes", k)
        if not isinstance(attribute, dict):
            state.add("oruk-invalid", "an attribute must be an object", where, name)
            continue
        term = attribute.get("taxonomy_term")
        term = term if isinstance(term, dict) else {}
        need, hint = need_of(state, attribute, term)
        if need is None:
            shown = (
                text_of(term.get("name"))
                or text_of(term.get("term"))
                or str(attribute.get("taxonomy_term_id"))
            )
            state.add(
                "oruk-unmapped-term",
                f"taxonomy term {shown!r} of service {name!r} matches no need; left out",
                where,
                name,
                hint=hint,
            )
        elif need not in found:
            found.append(need)
    return found


def need_of(
    state: ImportState, attribute: dict[str, Any], term: dict[str, Any]
) -> tuple[str | None, str]:
    """The need a taxonomy term maps to (or None) and, when none, a hint naming the nearest."""
    for ident in (attribute.get("taxonomy_term_id"), term.get("id")):
        if isinstance(ident, str) and ident in state.need_by_uuid:
            return state.need_by_uuid[ident], ""
    texts = [t for t in (text_of(term.get("term")), text_of(term.get("name"))) if t]
    for text in texts:  # exact codes first
        if text in state.need_ids:
            return text, ""
    suggestions: list[str] = []
    for text in texts:  # then ids, labels and synonyms, normalised (exact only)
        try:
            resolution = state.taxonomy.resolve(text)
        except PathwaysError as err:
            suggestions += list(getattr(err, "suggestions", ()))
            continue
        if resolution.exact:
            return resolution.need, ""
        suggestions.append(resolution.need)
    if suggestions:
        near = ", ".join(repr(s) for s in dict.fromkeys(suggestions))
        return None, f"Nearest needs: {near}. Add the term as a synonym in needs.yaml."
    return None, ""


def read_districts(
    state: ImportState, svc: dict[str, Any], ext: dict[str, Any], pointer: str, name: str
) -> tuple[str, ...] | str:
    """The districts a service's areas map to, or ``"all"`` (our own extension)."""
    if ext.get("districts") == "all":
        return "all"
    found: list[str] = []
    for k, area in enumerate(list_of(svc.get("service_areas"))):
        where = at(pointer, "service_areas", k)
        if not isinstance(area, dict):
            state.add("oruk-invalid", "a service area must be an object", where, name)
            continue
        state.unsupported(area, AREA_FIELDS, where, name)
        own = state.extension(area, where).get("district")
        district = own if isinstance(own, str) and own in state.district_ids else None
        texts = [t for t in (text_of(area.get("name")), text_of(area.get("service_area"))) if t]
        for text in texts if district is None else ():
            try:
                place = state.gazetteer.resolve(text)
            except PathwaysError:
                continue
            if place.kind == "district":
                district = place.district
                break
        if district is None:
            shown = texts[0] if texts else "(unnamed)"
            state.add(
                "oruk-unmapped-area",
                f"service area {shown[:80]!r} of service {name!r} is not a district of the "
                "base directory; left out",
                where,
                name,
            )
        elif district not in found:
            found.append(district)
    return tuple(found)


def read_age(state: ImportState, value: Any, pointer: str, name: str, minimum: bool) -> int | None:
    """An age limit as a whole number; None when absent, invalid or no real limit."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        state.add("oruk-invalid", f"age {value!r} is not a whole number; left out", pointer, name)
        return None
    age = int(value)
    if minimum and age < 10:
        state.add(
            "oruk-assumed",
            f"minimum age {age} is below 10, the age of criminal responsibility: read as no "
            "minimum",
            pointer,
            name,
        )
        return None
    if not minimum and age > 120:
        state.add("oruk-assumed", f"maximum age {age} read as no maximum", pointer, name)
        return None
    return age


def read_eligibility(
    state: ImportState, svc: dict[str, Any], ext: dict[str, Any], pointer: str, name: str
) -> dict[str, Any]:
    """The eligibility of a service: our extension's, or its notes, and age limits."""
    rules_ = ext.get("eligibility")
    data: dict[str, Any] = dict(rules_) if isinstance(rules_, dict) else {}
    if not isinstance(rules_, dict):
        notes = text_of(svc.get("eligibility_description"))
        if notes:
            data["notes"] = notes
    data["min_age"] = read_age(
        state, svc.get("minimum_age"), at(pointer, "minimum_age"), name, True
    )
    data["max_age"] = read_age(
        state, svc.get("maximum_age"), at(pointer, "maximum_age"), name, False
    )
    return data


def read_status_and_capacity(
    state: ImportState, svc: dict[str, Any], ext: dict[str, Any], pointer: str, name: str
) -> tuple[bool, Any]:
    """Whether a service is active, and its capacity (or None)."""
    status = svc.get("status")
    if status not in STATUSES:
        state.add(
            "oruk-invalid",
            f"status {status!r} is not one of {', '.join(STATUSES)}; read as active",
            at(pointer, "status"),
            name,
        )
        status = "active"
    active = status in ("active", "temporarily closed")
    if "capacity" in ext:
        return active, ext["capacity"]
    capacity: dict[str, Any] | None = None
    entries = list_of(svc.get("capacities"))
    for k in range(1, len(entries)):
        state.add(
            "oruk-unsupported",
            "only the first capacity of a service is carried; left out",
            at(pointer, "capacities", k),
            name,
        )
    if entries and isinstance(entries[0], dict):
        capacity = read_capacity(state, entries[0], at(pointer, "capacities", 0), name)
    if status == "temporarily closed":
        if capacity is None:
            when = date_of(svc.get("last_modified")) or date_of(svc.get("assured_date"))
            if when is None:
                when = date.today()
                state.add(
                    "oruk-assumed",
                    "temporarily closed with no date: closure recorded as of today",
                    at(pointer, "status"),
                    name,
                )
            capacity = {"places": None, "status": "closed", "updated": when.isoformat()}
        else:
            capacity["status"] = "closed"
    return active, capacity


def read_capacity(
    state: ImportState, entry: dict[str, Any], pointer: str, name: str
) -> dict[str, Any] | None:
    """The capacity of one HSDS 3.1 ``capacities`` entry, or None (reported)."""
    maximum, available = entry.get("maximum"), entry.get("available")
    places = maximum if isinstance(maximum, int | float) else available
    updated = date_of(entry.get("updated"))
    if not isinstance(places, int | float) or isinstance(places, bool) or updated is None:
        state.add(
            "oruk-invalid",
            "a capacity needs a number of places (maximum or available) and an updated date; "
            "left out",
            pointer,
            name,
        )
        return None
    unit = entry.get("unit")
    unit_text = " ".join(
        str(unit.get(k, "")) for k in ("identifier", "name") if isinstance(unit, dict)
    ).casefold()
    per = PER.search(unit_text)
    if per is None:
        state.add(
            "oruk-assumed",
            f"capacity unit {unit_text.strip()!r} names no week, month or quarter: read as "
            "places per month",
            at(pointer, "unit"),
            name,
        )
    waiting = isinstance(available, int | float) and available == 0 and places > 0
    return {
        "places": int(places),
        "per": per.group(1) if per else "month",
        "status": "waitlist" if waiting else "open",
        "updated": updated.isoformat(),
    }
