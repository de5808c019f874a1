"""Downloads: the public directory as YAML (loadable by :func:`directory.load`), a zip of it, and
Open Referral UK files when :mod:`directory.oruk` is there at build time.

The YAML is written from the public view (hidden sites removed), never copied from the source
files, so a refuge's name, address, postcode or coordinates cannot reach a download.

>>> from directory.loading import load
>>> files = directory_yaml(load())
>>> sorted(files)[:3]
['agencies/aspire-peterborough.yaml', 'agencies/cambridge-churches-homeless-project.yaml', ...]
>>> "hidden: true" in "".join(files.values())
False
"""

from __future__ import annotations

import importlib
import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

import yaml

from pathways.site.common import page, plural
from pathways.site.public import public_view

if TYPE_CHECKING:
    from directory.models import Directory
    from pathways.site.common import SiteData

__all__ = ["DOWNLOADS", "directory_yaml", "oruk_files", "render_downloads", "zip_bytes"]

PATH = "downloads.md"
#: where the download files go in the site
DOWNLOADS = "downloads"
ZIP_NAME = "directory-yaml.zip"
_EPOCH = (1980, 1, 1, 0, 0, 0)


# libyaml's emitter when PyYAML has it (ten times faster), the pure-Python one otherwise
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def directory_yaml(directory: Directory) -> dict[str, str]:
    """The directory in its own file format: ``needs.yaml``, ``localities.yaml``, one file per
    agency. Defaults are left out, so files stay close to what people write. Hidden sites are
    removed here too, whatever the caller passed."""
    directory = public_view(directory)
    dump = directory.model_dump(mode="json", exclude_defaults=True)
    needs = {k: dump[k] for k in ("groups", "needs") if k in dump}
    localities = {
        k: dump[k]
        for k in ("attribution", "areas", "districts", "towns", "postcode_districts")
        if k in dump
    }
    files = {"needs.yaml": _dump(needs), "localities.yaml": _dump(localities)}
    for agency in directory.agencies:
        files[f"agencies/{agency.id}.yaml"] = _dump(
            agency.model_dump(mode="json", exclude_defaults=True)
        )
    return files


def zip_bytes(files: dict[str, str], folder: str = "directory") -> bytes:
    """A stored (uncompressed), byte-for-byte reproducible zip of text files.

    >>> data = zip_bytes({"a.yaml": "x: 1\\n"})
    >>> data == zip_bytes({"a.yaml": "x: 1\\n"}), b"x: 1" in data
    (True, True)
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()


def oruk_files(directory: Directory) -> dict[str, str]:
    """Open Referral UK 3.0 exports of the public directory by file name: the JSON documents
    (services, organizations, taxonomies) and the tabular package (CSV + ``datapackage.json``).

    Empty when :mod:`directory.oruk` cannot be imported: the site then has no ORUK downloads.
    """
    try:
        oruk = importlib.import_module("directory.oruk")
    except ImportError:
        return {}
    public = public_view(directory)
    out: dict[str, str] = {}
    for name, document in oruk.export_json(public).items():
        out[f"oruk/{name}"] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    for name, text in oruk.export_tables(public).items():
        out[f"oruk/tables/{name}"] = str(text)
    return out


def render_downloads(data: SiteData, oruk: dict[str, str]) -> str:
    """The downloads page, linking every file that :func:`pathways.site.render_files` writes."""
    d = data.directory
    body = [
        "The directory is open data. Everything shown on this site can be downloaded; sites "
        "kept confidential (refuges) are left out of every download.",
        "",
        "## The directory as YAML",
        "",
        f"- [The whole directory (zip)]({DOWNLOADS}/{ZIP_NAME}): the folder in the "
        "[directory format](directory-format.md), loadable with `pathways validate`.",
        f"- [needs.yaml]({DOWNLOADS}/yaml/needs.yaml): the need taxonomy "
        f"({plural(len(d.needs), 'need')}).",
        f"- [localities.yaml]({DOWNLOADS}/yaml/localities.yaml): policing areas, districts, "
        "towns and postcode districts.",
        f"- One file per agency ({plural(len(d.agencies), 'file')}), linked from each agency's "
        "page and in the zip.",
        "",
    ]
    if oruk:
        documents = sorted(n for n in oruk if n.count("/") == 1)
        tables = sorted(n for n in oruk if n.startswith("oruk/tables/"))
        body += [
            "## Open Referral UK",
            "",
            "The directory in the [Open Referral UK](https://openreferraluk.org/) 3.0 format, "
            "as its API would serve it (JSON) and as its tabular data package (CSV).",
            "",
        ]
        body += [f"- [{name.split('/')[-1]}]({DOWNLOADS}/{name})" for name in documents]
        if tables:
            body += [
                "- Tables: " + ", ".join(f"[{n.split('/')[-1]}]({DOWNLOADS}/{n})" for n in tables)
            ]
    return page("Downloads", body)
