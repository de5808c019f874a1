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
from pathways.site.gap_page import CHART, PATH, render_gap_page  # noqa: E402


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
    page, chart = _gap_files(directory)
    files.append(File.generated(config, PATH, content=page))
    files.append(File.generated(config, CHART, content=chart))
    page, chart = _compliance_files(directory)
    files.append(File.generated(config, COMPLIANCE_PATH, content=page))
    files.append(File.generated(config, COMPLIANCE_CHART, content=chart))
    config["nav"] = [
        {"Capacity": ["places.md", PATH, COMPLIANCE_PATH]}
        if entry == {"Capacity": "places.md"}
        else entry
        for entry in render_nav(directory, hand)
    ]
    return files


def _gap_files(directory: Any) -> tuple[str, bytes]:
    """The gaps page and chart: demand from $PATHWAYS_DEMAND (a counts CSV; its latest period),
    else an illustrative synthetic month."""
    import tempfile
    from datetime import date

    from matching.demand import demand_from_people, read_counts, synthetic_cohort
    from matching.gaps import gaps
    from pathways.gaps_report import gap_chart

    chosen = os.environ.get("PATHWAYS_DEMAND")
    period = date.today().strftime("%Y-%m")
    if chosen:
        by_period = read_counts(Path(chosen), directory)
        latest = max(by_period)
        result = gaps(directory, by_period[latest])
        source, illustrative = f"the counts for {latest} in {Path(chosen).name}", False
    else:
        people = synthetic_cohort(directory, 350, seed=0, period=period)
        result = gaps(directory, demand_from_people(people, period=period))
        source = f"a synthetic cohort of 350 people for {period} (seed 0)"
        illustrative = True
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "gap-chart.svg"
        gap_chart(result, target)
        chart = target.read_bytes()
    return render_gap_page(result, source=source, illustrative=illustrative), chart


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
    from pathways.compliance_report import compliance_chart

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
