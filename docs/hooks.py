"""MkDocs glue: render the directory with :mod:`pathways.site` and add the pages as virtual files.

The directory is the shipped one, or the folder named by ``$PATHWAYS_DIRECTORY``. Generated pages
carry ``edit_path`` (relative to the directory folder) in their front matter; "Edit this page"
then opens that YAML file in the repository when the folder lies inside it.
"""

from __future__ import annotations

import os
import posixpath
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a checkout that is not pip-installed
    sys.path.insert(0, str(ROOT))

from directory.loading import default_path, load  # noqa: E402
from pathways.site import render_files, render_nav, render_pages  # noqa: E402
from pathways.site.compliance_page import CHART as COMPLIANCE_CHART  # noqa: E402
from pathways.site.compliance_page import PATH as COMPLIANCE_PATH  # noqa: E402
from pathways.site.compliance_page import render_compliance_page  # noqa: E402
from pathways.site.gap_page import PATH  # noqa: E402
from pathways.site.map_page import PATH as MAP  # noqa: E402


def _directory_folder() -> Path:
    chosen = os.environ.get("PATHWAYS_DIRECTORY")
    return Path(chosen).resolve() if chosen else default_path().resolve()


def on_files(files: Files, config: Any) -> Files:
    folder = _directory_folder()
    directory = load(folder)
    hand = [f.src_uri for f in files.documentation_pages()]
    for path, text in render_pages(directory).items():
        if files.get_file_from_path(path) is not None:
            raise PluginError(f"docs/{path} is hand-written but the site generates it")
        files.append(File.generated(config, path, content=text))
    for path, data in render_files(directory).items():
        files.append(File.generated(config, path, content=data))
    for path, content in _gap_files(directory).items():
        files.append(File.generated(config, path, content=content))
    page, chart = _compliance_files(directory)
    files.append(File.generated(config, COMPLIANCE_PATH, content=page))
    files.append(File.generated(config, COMPLIANCE_CHART, content=chart))
    nav = []
    for entry in render_nav(directory, hand):
        nav.append(
            {"Capacity": ["places.md", PATH, COMPLIANCE_PATH]}
            if entry == {"Capacity": "places.md"}
            else entry
        )
        if entry == {"Districts": "districts/index.md"}:
            nav.append({"Map": MAP})
    config["nav"] = nav
    return files


def _gap_files(directory: Any) -> dict[str, str | bytes]:
    """The gaps page, its charts and the map (with the gaps' unmet demand): a year of demand from
    $PATHWAYS_DEMAND (a counts CSV: its latest year), else an illustrative synthetic year."""
    from datetime import date

    from matching.demand import read_counts
    from matching.gap_groups import need_groups
    from matching.gap_tables import published
    from matching.gaps import gaps
    from pathways.gap_charts import panels
    from pathways.site.common import SiteData
    from pathways.site.gap_page import chart_files, render_gap_page, year_demand
    from pathways.site.map_page import render_map_page

    chosen = os.environ.get("PATHWAYS_DEMAND")
    counts = read_counts(Path(chosen), directory) if chosen else None
    name = Path(chosen).name if chosen else ""
    demand, source, illustrative = year_demand(
        directory, counts, year=f"{date.today():%Y}", name=name
    )
    result = gaps(directory, demand)
    # the charts' figures protected with the tables printed under them (the map's are the same)
    tables = published(result, groups=need_groups(directory))
    charts = panels(result, directory, tables=tables)
    page = render_gap_page(result, source=source, illustrative=illustrative, charts=charts)
    shown = render_map_page(
        SiteData.of(directory), gaps=result, illustrative=illustrative, tables=tables
    )
    return {PATH: page, MAP: shown, **chart_files(charts)}


def _edit_base(config: Any) -> str | None:
    """The directory folder relative to the docs folder, or None when it is outside the repo."""
    folder = _directory_folder()
    if not folder.is_relative_to(ROOT):
        return None
    return Path(os.path.relpath(folder, Path(config["docs_dir"]).resolve())).as_posix()


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    edit_path = page.meta.get("edit_path")
    if page.file.generated_by is not None:
        base = _edit_base(config) if edit_path else None
        page.edit_url = None
        if edit_path and base and config["repo_url"] and config["edit_uri"]:
            relative = posixpath.join(config["edit_uri"], base, str(edit_path))
            page.edit_url = urljoin(config["repo_url"].rstrip("/") + "/", relative)
    return markdown


def _compliance_files(directory: Any) -> tuple[str, bytes]:
    """The compliance page and chart: the cases of the ledger in $PATHWAYS_LEDGER, else an
    illustrative synthetic year (1,200 cases), with the pilot's scale (165 cases) in a note."""
    import tempfile

    from matching.capacity import Ledger
    from matching.cases import all_cases
    from matching.compliance import compliance_report
    from matching.synthetic_cases import synthetic_year
    from pathways.compliance_files import compliance_chart

    chosen = os.environ.get("PATHWAYS_LEDGER")
    notes: tuple[str, ...] = ()
    if chosen:
        with Ledger(chosen, create=False) as ledger:
            report = compliance_report(all_cases(ledger), directory)
        source, illustrative = "the cases in the ledger named by PATHWAYS_LEDGER", False
    else:
        report = compliance_report(synthetic_year(directory, cases=1200), directory)
        pilot = compliance_report(synthetic_year(directory, cases=165), directory).total
        source = "a synthetic year of 1,200 cases (seed 2026), the volume at which the hub "
        source += "expected about 15 breach files a month"
        illustrative = True
        notes = (
            "At the pilot's scale (165 cases, as in the board report of 22 June 2017) the same "
            f"synthetic year gives {pilot.complied} of {pilot.complied + pilot.breached} settled "
            f"cases complied ({round(100 * (pilot.compliance or 0))}%) and about "
            f"{round(pilot.breached / 12)} breach files a month, each below 5 and so not "
            "published month by month.",
        )
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "compliance-chart.svg"
        compliance_chart(report, target)
        chart = target.read_bytes()
    page = render_compliance_page(report, source=source, illustrative=illustrative, notes=notes)
    return page, chart
