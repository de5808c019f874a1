"""Open Referral UK import: the contacts of organizations and services (phones, emails, urls)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from directory.models import Contact
from directory.oruk.fields import CONTACT_FIELDS, at, list_of, text_of

if TYPE_CHECKING:
    from directory.oruk.state import AgencyDraft, ImportState

__all__ = ["add_contact", "read_phone", "read_service_contacts"]


def add_contact(state: ImportState, draft: AgencyDraft, data: dict[str, Any], pointer: str) -> None:
    """Add a contact to the agency unless it has it already; report it if invalid."""
    try:
        contact = Contact.model_validate(data)
    except ValidationError as err:
        state.invalid(err, pointer, draft.id, "contact of")
        return
    if all((c.kind, c.value) != (contact.kind, contact.value) for c, _ in draft.contacts):
        draft.contacts.append((contact, pointer))


def read_service_contacts(
    state: ImportState, agency: AgencyDraft, svc: dict[str, Any], pointer: str, name: str
) -> None:
    """Add a service's url, email, phones and contacts to its agency's contacts."""
    url, email = text_of(svc.get("url")), text_of(svc.get("email"))
    if url:
        add_contact(
            state, agency, {"kind": "website", "value": url, "label": name}, at(pointer, "url")
        )
    if email:
        add_contact(
            state, agency, {"kind": "email", "value": email, "label": name}, at(pointer, "email")
        )
    for m, phone in enumerate(list_of(svc.get("phones"))):
        read_phone(state, agency, phone, None, at(pointer, "phones", m))
    for k, contact in enumerate(list_of(svc.get("contacts"))):
        where = at(pointer, "contacts", k)
        if not isinstance(contact, dict):
            continue
        state.unsupported(contact, CONTACT_FIELDS, where, name)
        label = text_of(contact.get("name")) or text_of(contact.get("title"))
        email = text_of(contact.get("email"))
        phones = list_of(contact.get("phones"))
        if email:
            add_contact(
                state, agency, {"kind": "email", "value": email, "label": label}, at(where, "email")
            )
        for m, phone in enumerate(phones):
            read_phone(state, agency, phone, label, at(where, "phones", m))
        if not email and not phones and label:
            state.add(
                "oruk-unsupported",
                f"contact {label!r} has no phone or email; a named contact alone is not carried",
                where,
                name,
            )


def read_phone(
    state: ImportState, agency: AgencyDraft, phone: Any, label: str | None, pointer: str
) -> None:
    """Add a phone (an object with a number) as a contact of the agency."""
    if not isinstance(phone, dict) or not text_of(phone.get("number")):
        return
    add_contact(
        state,
        agency,
        {
            "kind": "phone",
            "value": text_of(phone.get("number")),
            "label": text_of(phone.get("description")) or label,
        },
        pointer,
    )
