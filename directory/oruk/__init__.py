"""Open Referral UK 3.0: export a directory as the ORUK API serves it, and import ORUK feeds.

Export (pure functions, no I/O):

* :func:`export_services`: a ``Page`` (the ORUK API's paging envelope) whose ``contents`` are full
  services, each with its organization embedded, as ``GET /services/{id}`` returns one;
* :func:`export_organizations`: a ``Page`` of organizations, each with its full services;
* :func:`export_taxonomies`: a ``Page`` holding the need taxonomy and its terms;
* :func:`export_tables`: the tabular data package, one CSV per resource of the standard's
  ``datapackage.json`` with exactly its columns, plus the ``datapackage.json`` itself.

:func:`write_json_export` and :func:`write_tabular_export` write them into a folder, each file
atomically (:func:`directory.dumping.write_atomic`).

Import: :func:`import_oruk` reads a document (a Page of services, organizations or
service_at_locations, or one of them) into a :class:`~directory.models.Directory` whose needs and
localities come from a base directory, and reports everything it could not carry as
:class:`~directory.problems.Problem` objects located by JSON pointer (``field``).

Ids are stable: every ORUK id is a UUID 5 of our id under :data:`NAMESPACE`, so exporting the same
directory twice gives the same ids and a changed record keeps its id. Hidden sites (refuges) are
not exported at all (:func:`publishable`). What ORUK 3.0 has no field for travels in an extension
object named :data:`EXTENSION` on organizations, services and locations; capacity is also given in
the HSDS 3.1 shape (``capacities``). docs/open-referral.md has the full mapping table.

The modules, each importing only those before it: ``ids`` (NAMESPACE, :func:`oruk_id`);
``export`` (the JSON Pages, :func:`publishable`); ``tables`` (the tabular package); for import,
``fields`` (reading values), ``state`` (drafts, problems, ids), ``contacts``, ``services`` and
``locations`` (reading records), ``building`` (drafts to a checked directory) and ``importing``
(the document walk, :func:`import_oruk`).

>>> from directory.loading import load
>>> d = load()
>>> page = export_services(d)
>>> page["total_items"] == len(d.pathways), page["contents"][0]["status"]
(True, 'active')
>>> back, report = import_oruk(page, base=d)
>>> back == publishable(d), report.ok
(True, True)
"""

from __future__ import annotations

from directory.oruk.export import (
    export_json,
    export_organizations,
    export_services,
    export_taxonomies,
    publishable,
    write_json,
    write_json_export,
)
from directory.oruk.ids import EXTENSION, NAMESPACE, TAXONOMY_ID, oruk_id
from directory.oruk.ids import TAXONOMY_NAME as TAXONOMY_NAME
from directory.oruk.ids import UNIT_SCHEME as UNIT_SCHEME
from directory.oruk.importing import MAX_IMPORT_BYTES as MAX_IMPORT_BYTES
from directory.oruk.importing import import_oruk, import_oruk_file
from directory.oruk.tables import TABLES, Table, datapackage, export_tables, write_tabular_export

__all__ = [
    "EXTENSION",
    "NAMESPACE",
    "TABLES",
    "TAXONOMY_ID",
    "Table",
    "datapackage",
    "export_json",
    "export_organizations",
    "export_services",
    "export_tables",
    "export_taxonomies",
    "import_oruk",
    "import_oruk_file",
    "oruk_id",
    "publishable",
    "write_json",
    "write_json_export",
    "write_tabular_export",
]
