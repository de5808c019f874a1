"""The directory website, rendered by pure functions: directory in, Markdown pages out.

:func:`render_pages` returns every generated page (path in the docs folder -> Markdown);
:func:`render_files` the download files; :func:`render_nav` the navigation. The MkDocs glue
(``docs/hooks.py``) only adds them to the build. Nothing here reads files, the clock or the
environment, so the same directory always gives the same site.

Hidden sites are removed first (:func:`pathways.site.public.public_view`); every value from the
directory is escaped (:mod:`pathways.site.escape`).

>>> from directory.loading import load
>>> pages = render_pages(load())
>>> "index.md" in pages and "needs/alcohol.md" in pages and "districts/fenland.md" in pages
True
>>> "drink" in pages["needs/alcohol.md"]
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from directory.models import Directory
from pathways.site.agencies import render_agencies_index, render_agency
from pathways.site.capacity import render_capacity
from pathways.site.common import SiteData, entity_path
from pathways.site.coverage import render_coverage
from pathways.site.districts import render_district, render_districts_index
from pathways.site.downloads import (
    DOWNLOADS,
    ZIP_NAME,
    directory_yaml,
    oruk_files,
    render_downloads,
    zip_bytes,
)
from pathways.site.home import render_home
from pathways.site.nav import render_nav as _render_nav
from pathways.site.needs import render_need, render_needs_index
from pathways.site.pathway_pages import render_pathway, render_pathways_index
from pathways.site.problems import render_problems

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["render_files", "render_nav", "render_pages", "render_problems"]


def render_pages(directory: Directory, *, oruk: bool = True) -> dict[str, str]:
    """Every generated page: docs-relative path -> Markdown (with front matter).

    ``oruk=False`` leaves the Open Referral UK links out even when the exporter exists.
    """
    data = SiteData.of(directory)
    d = data.directory
    pages = {
        "index.md": render_home(data),
        "needs/index.md": render_needs_index(data),
        "districts/index.md": render_districts_index(data),
        "agencies/index.md": render_agencies_index(data),
        "pathways/index.md": render_pathways_index(data),
        "coverage.md": render_coverage(data),
        "places.md": render_capacity(data),
        # the ORUK file names do not depend on the contents: list them from an empty export
        "downloads.md": render_downloads(data, oruk_files(Directory()) if oruk else {}),
    }
    pages.update({entity_path("needs", n.id): render_need(data, n) for n in d.needs})
    pages.update({entity_path("districts", x.id): render_district(data, x) for x in d.districts})
    pages.update({entity_path("agencies", a.id): render_agency(data, a) for a in d.agencies})
    pages.update({entity_path("pathways", p.id): render_pathway(data, p) for p in d.pathways})
    return pages


def render_files(directory: Directory, *, oruk: bool = True) -> dict[str, bytes]:
    """Every download file: docs-relative path -> bytes. Built from the public view only.

    >>> from directory.loading import load
    >>> files = render_files(load())
    >>> "downloads/yaml/needs.yaml" in files and "downloads/directory-yaml.zip" in files
    True
    """
    public = SiteData.of(directory).directory
    yaml_files = directory_yaml(public)
    out = {f"{DOWNLOADS}/yaml/{name}": text.encode("utf-8") for name, text in yaml_files.items()}
    out[f"{DOWNLOADS}/{ZIP_NAME}"] = zip_bytes(yaml_files)
    if oruk:
        out.update(
            {
                f"{DOWNLOADS}/{name}": text.encode("utf-8")
                for name, text in oruk_files(public).items()
            }
        )
    return out


def render_nav(directory: Directory, hand_pages: Iterable[str]) -> list[dict[str, Any]]:
    """The MkDocs ``nav``: generated sections, then the hand-written pages that exist."""
    return _render_nav(SiteData.of(directory), hand_pages)
