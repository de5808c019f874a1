"""Open Referral UK import: locations (with their addresses) into sites placed in a district."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from directory.errors import PathwaysError
from directory.models import Site
from directory.oruk.fields import (
    ADDRESS_FIELDS,
    LOCATION_FIELDS,
    at,
    has_data,
    list_of,
    point_of,
    text_of,
)

if TYPE_CHECKING:
    from directory.oruk.state import AgencyDraft, ImportState, PathwayDraft

__all__ = ["add_location", "read_link", "read_site"]


def read_link(
    state: ImportState, agency: AgencyDraft, draft: PathwayDraft, link: Any, pointer: str
) -> None:
    """Link a service_at_location's location (inline, or known by id) to the pathway."""
    if not isinstance(link, dict):
        state.add("oruk-invalid", "a service_at_location must be an object", pointer)
        return
    location = link.get("location")
    if isinstance(location, dict):
        add_location(state, agency, draft, location, at(pointer, "location"))
        return
    lid = link.get("location_id")
    if isinstance(lid, str) and lid in agency.sites:
        if lid not in draft.site_keys:
            draft.site_keys.append(lid)
        return
    state.add(
        "oruk-invalid",
        "a service_at_location without its location (and the location is not elsewhere in "
        "the document); left out",
        pointer,
        draft.data["name"],
    )


def add_location(
    state: ImportState,
    agency: AgencyDraft,
    draft: PathwayDraft,
    location: dict[str, Any],
    pointer: str,
) -> None:
    """Build the site of a location (once) and link it to the pathway."""
    key = read_site(state, agency, location, pointer)
    if key not in draft.site_keys:
        draft.site_keys.append(key)


def read_site(
    state: ImportState, agency: AgencyDraft, location: dict[str, Any], pointer: str
) -> str:
    """Build (once per location id) the site of a location; return its key in the agency."""
    key = location["id"] if isinstance(location.get("id"), str) else pointer
    if key in agency.sites:
        return key
    agency.sites[key] = None
    ext = state.extension(location, pointer)
    state.unsupported(location, LOCATION_FIELDS, pointer, text_of(location.get("name")))
    listed = list_of(location.get("addresses"))
    objects = [k for k, a in enumerate(listed) if isinstance(a, dict)]
    physical = [k for k in objects if listed[k].get("address_type") == "physical"] or objects
    address: dict[str, Any] = listed[physical[0]] if physical else {}
    for k, other in enumerate(listed):
        if other is not address and has_data(other):
            state.add(
                "oruk-unsupported",
                "only one address of a location is carried; left out",
                at(pointer, "addresses", k),
            )
    if physical:
        state.unsupported(address, ADDRESS_FIELDS, at(pointer, "addresses", physical[0]), None)
    street, city = text_of(address.get("address_1")), text_of(address.get("city"))
    postcode = text_of(address.get("postal_code"))
    postcode = " ".join(postcode.upper().split()) if postcode else None
    name = text_of(location.get("name")) or street or city
    if name is None:
        state.add("oruk-invalid", "a location needs a name or an address", pointer)
        return key
    if "district" in ext:  # our own export: the address as written, maybe none
        text_address = text_of(ext.get("address"))
    elif street and city and city.casefold() not in street.casefold():
        text_address = f"{street}, {city}"
    else:
        text_address = street or city
    point = point_of(location.get("latitude"), location.get("longitude"))
    approximate = bool(ext.get("approximate", False))
    if point is not None:
        try:  # the model's own check of coordinates, before anything else is looked up
            Site.model_validate(
                {"id": "x", "name": "x", "district": "x", "lat": point[0], "lon": point[1]}
            )
        except ValidationError as err:
            state.invalid(err, pointer, name, "location")
            return key
    district = ext.get("district") if isinstance(ext.get("district"), str) else None
    attempts: list[str | tuple[float, float]] = [postcode] if postcode else []
    if point is not None:
        attempts.append(point)
    if city:
        attempts.append(city)
    for attempt in attempts:
        if district is not None:
            break
        try:
            place = state.gazetteer.resolve(attempt)
        except PathwaysError:
            continue
        district = place.district
        if point is None:
            point, approximate = (place.lat, place.lon), True
            state.add(
                "oruk-assumed",
                f"location {name!r} has no coordinates: placed at the centre of "
                f"{place.label} (approximate)",
                pointer,
                name,
            )
    if district is None or point is None:
        state.add(
            "oruk-unmapped-area",
            f"location {name!r} is not in a district of the base directory (by postcode, "
            "coordinates or town); left out",
            pointer,
            name,
        )
        return key
    site_id = state.own_id("site", ext, f"{agency.id}-{name}", "site")
    try:
        agency.sites[key] = Site.model_validate(
            {
                "id": site_id,
                "name": name,
                "district": district,
                "address": text_address,
                "postcode": postcode,
                "lat": point[0],
                "lon": point[1],
                "approximate": approximate,
            }
        )
    except ValidationError as err:
        state.invalid(err, pointer, name, "location")
    return key
