"""Open Referral UK 3.0 tabular data package: one CSV per resource, and its ``datapackage.json``.

>>> [t.name for t in TABLES][:3]
['organization', 'service', 'attribute']
>>> TABLES[0].column_names[:3]
('id', 'name', 'description')
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from directory.csvsafe import escape_cell
from directory.dumping import write_atomic
from directory.oruk.export import export_organizations, export_taxonomies

if TYPE_CHECKING:
    import os

    from directory.models import Directory

__all__ = ["TABLES", "Table", "datapackage", "export_tables", "write_tabular_export"]


@dataclass(frozen=True, slots=True)
class Table:
    """One resource of the tabular data package: its name, CSV file, columns and keys.

    ``columns`` are ``(name, type, format, required)``.
    """

    name: str
    path: str
    columns: tuple[tuple[str, str, str | None, bool], ...]
    foreign_keys: tuple[tuple[str, str], ...] = ()
    standard: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c[0] for c in self.columns)


def _table(
    name: str, path: str, spec: str, keys: tuple[tuple[str, str], ...] = (), standard: bool = True
) -> Table:
    # spec: "name*:type/format ..."; * required, type defaults to string
    columns = []
    for item in spec.split():
        head, _, fmt = item.partition("/")
        head, _, kind = head.partition(":")
        columns.append((head.rstrip("*"), kind or "string", fmt or None, head.endswith("*")))
    return Table(name, path, tuple(columns), keys, standard)


#: The resources of the ORUK 3.0 ``datapackage.json`` (in its order, with its columns), then the two
#: HSDS 3.1 resources that carry capacity. tests/test_oruk.py keeps this equal to the standard.
TABLES: tuple[Table, ...] = (
    _table(
        "organization",
        "organizations.csv",
        "id*/uuid name* description* email/email website/uri logo uri/uri "
        "parent_organization_id/uuid",
    ),
    _table(
        "service",
        "services.csv",
        "id*/uuid organization_id*/uuid name* description url/uri email/email status* fees "
        "accreditations minimum_age:number maximum_age:number assured_date:date "
        "assurer_email/email alert last_modified:datetime",
        (("organization_id", "organization"),),
    ),
    _table(
        "attribute",
        "attribute.csv",
        "id*/uuid link_id*/uuid taxonomy_term_id*/uuid link_type",
        (("taxonomy_term_id", "taxonomy_term"),),
    ),
    _table(
        "service_at_location",
        "service_at_location.csv",
        "id*/uuid service_id*/uuid location_id*/uuid",
        (("service_id", "service"), ("location_id", "location")),
    ),
    _table(
        "location",
        "locations.csv",
        "id*/uuid location_type* name description latitude:number longitude:number "
        "external_identifier external_identifier_type",
    ),
    _table("phone", "phones.csv", "id*/uuid contact_id/uuid number* description"),
    _table(
        "contact",
        "contacts.csv",
        "id*/uuid service_id/uuid name title",
        (("service_id", "service"),),
    ),
    _table(
        "address",
        "address.csv",
        "id*/uuid location_id/uuid attention address_1* city* region state_province* "
        "postal_code* country* address_type*",
        (("location_id", "location"),),
    ),
    _table(
        "schedule",
        "schedule.csv",
        "id*/uuid service_id/uuid service_at_location_id/uuid valid_from:date valid_to:date "
        "dtstart:date freq interval:number byday bymonthday description opens_at:time "
        "closes_at:time schedule_link/uri attending_type notes",
        (("service_id", "service"),),
    ),
    _table(
        "funding", "funding.csv", "id*/uuid service_id/uuid source", (("service_id", "service"),)
    ),
    _table(
        "service_area",
        "service_areas.csv",
        "id*/uuid service_id/uuid name extent extent_type uri service_area",
        (("service_id", "service"),),
    ),
    _table(
        "language",
        "languages.csv",
        "id*/uuid service_id/uuid phone_id/uuid",
        (("phone_id", "phone"), ("service_id", "service")),
    ),
    _table(
        "accessibility",
        "accessibility.csv",
        "id*/uuid location_id/uuid description details url/uri accessibility",
        (("location_id", "location"),),
    ),
    _table(
        "taxonomy_term",
        "taxonomy_terms.csv",
        "id*/uuid name* description* parent_id/uuid taxonomy taxonomy_id/uuid term_uri/uri term",
        (("taxonomy_id", "taxonomy"),),
    ),
    _table(
        "cost_option",
        "cost_options.csv",
        "id*/uuid service_id*/uuid valid_from:date valid_to:date option amount:number "
        "amount_description",
        (("service_id", "service"),),
    ),
    _table(
        "organization_identifier",
        "organization_identifiers.csv",
        "id*/uuid organization_id*/uuid identifier_scheme identifier_type* identifier*",
        (("organization_id", "organization"),),
    ),
    _table("taxonomy", "taxonomies.csv", "id*/uuid name* description* uri/uri version"),
    # HSDS 3.1 (not in ORUK 3.0): capacity and its unit
    _table(
        "service_capacity",
        "service_capacity.csv",
        "id*/uuid service_id*/uuid unit_id*/uuid available*:number maximum:number description "
        "updated*:datetime",
        (("service_id", "service"), ("unit_id", "unit")),
        standard=False,
    ),
    _table("unit", "units.csv", "id*/uuid name* scheme identifier uri/uri", standard=False),
)


def datapackage() -> dict[str, Any]:
    """The ``datapackage.json`` written beside the CSV files: the ORUK 3.0 package's resources
    (names, paths, columns, types, formats, required columns, keys) and the two HSDS 3.1 ones."""
    resources = []
    for table in TABLES:
        fields = []
        for name, kind, fmt, required in table.columns:
            spec: dict[str, Any] = {"name": name, "type": kind}
            if fmt:
                spec["format"] = fmt
            spec["constraints"] = {"required": required}
            fields.append(spec)
        schema: dict[str, Any] = {"primaryKey": "id", "fields": fields}
        if table.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": column, "reference": {"resource": resource, "fields": "id"}}
                for column, resource in table.foreign_keys
            ]
        resources.append(
            {
                "name": table.name,
                "path": table.path,
                "format": "csv",
                "mediatype": "text/csv",
                "profile": "tabular-data-resource",
                "schema": schema,
            }
        )
    return {
        "name": "human_services_data",
        "title": "Human Services Data Specification",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "description": "Open Referral UK 3.0 export of the out-of-court diversion directory. "
        "service_capacity and unit follow HSDS 3.1.",
        "license": {
            "url": "https://creativecommons.org/licenses/by-sa/4.0/",
            "type": "CC-BY-SA-4.0",
            "name": "Creative Commons Attribution-ShareAlike 4.0",
        },
        "resources": resources,
    }


def _rows(directory: Directory) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
    seen_locations: set[str] = set()
    seen_units: set[str] = set()
    organizations = export_organizations(directory)["contents"]
    for org in organizations:
        rows["organization"].append(org)
        for service in org["services"]:
            rows["service"].append(service)
            rows["attribute"].extend(service.get("attributes", []))
            rows["service_area"].extend(service.get("service_areas", []))
            for link in service.get("service_at_locations", []):
                rows["service_at_location"].append(link)
                location = link["location"]
                if location["id"] not in seen_locations:
                    seen_locations.add(location["id"])
                    rows["location"].append(location)
                    rows["address"].extend(location.get("addresses", []))
            for contact in service.get("contacts", []):
                rows["contact"].append(contact)
                rows["phone"].extend(contact.get("phones", []))
            for capacity in service.get("capacities", []):
                rows["service_capacity"].append(capacity)
                if capacity["unit_id"] not in seen_units:
                    seen_units.add(capacity["unit_id"])
                    rows["unit"].append(capacity["unit"])
    for taxonomy in export_taxonomies(directory)["contents"]:
        rows["taxonomy"].append(taxonomy)
        rows["taxonomy_term"].extend(taxonomy["taxonomy_terms"])
    return rows


def _cell(value: Any) -> str:
    """A CSV cell; text a spreadsheet would run as a formula gets a leading ``'`` (numbers,
    booleans and ids are never text of that kind)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return escape_cell(value)
    return str(value)


def export_tables(directory: Directory) -> dict[str, str]:
    """The tabular data package as text by file name: a CSV per :data:`TABLES` resource (header
    only where we have no data, such as schedules) and ``datapackage.json``.

    Fields without a column (the :data:`EXTENSION` objects, contact emails) are not in the CSVs.
    """
    rows = _rows(directory)
    files: dict[str, str] = {}
    for table in TABLES:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(table.column_names)
        for row in rows[table.name]:
            writer.writerow([_cell(row.get(c)) for c in table.column_names])
        files[table.path] = buffer.getvalue()
    files["datapackage.json"] = json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n"
    return files


def write_tabular_export(directory: Directory, folder: str | os.PathLike[str]) -> list[Path]:
    """Write :func:`export_tables` into ``folder`` (created if needed), each file atomically."""
    target = Path(folder)
    return [write_atomic(target / name, text) for name, text in export_tables(directory).items()]
