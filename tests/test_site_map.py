"""The map page (pathways.site.map_page): hidden sites never appear, text is escaped, the lists
hold everything the map draws, unmet demand is the gaps page's published figure."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from directory.loading import load
from matching.demand import demand_from_people, synthetic_cohort
from matching.gap_groups import ALL, need_groups, regroup
from matching.gap_tables import published
from matching.gaps import gaps
from pathways.gap_charts import published_bars
from pathways.site.common import SiteData
from pathways.site.escape import html_text
from pathways.site.map_page import LEAFLET_VERSION, map_data, render_map_page
from tests.factories import REFUGE_SITE, XSS_SCRIPT, site_directory

ROOT = Path(__file__).resolve().parents[1]


def _island(page: str) -> dict:  # type: ignore[type-arg]
    found = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page)
    assert found is not None
    return json.loads(found.group(1))


@pytest.fixture(params=["hostile", "shipped"])
def directory(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    return load(site_directory(tmp_path)) if request.param == "hostile" else load()


def _hidden(d):  # type: ignore[no-untyped-def]
    return [s for a in d.agencies for s in a.sites if s.hidden]


def test_no_hidden_site_reaches_the_map(directory) -> None:  # type: ignore[no-untyped-def]
    hidden = _hidden(directory)
    assert hidden, "the directory under test must hold a hidden site"
    result = gaps(directory, demand_from_people(synthetic_cohort(directory, 400), period="2026"))
    page = render_map_page(SiteData.of(directory), gaps=result)
    data = _island(page)
    public = [s for a in directory.agencies for s in a.sites if not s.hidden]
    # every point on the map is a published site or a district centre, exactly: nothing derived
    assert [s["id"] for s in data["sites"]] == [s.id for s in public]
    points = {(s["lat"], s["lon"]) for s in data["sites"]}
    points |= {(x["lat"], x["lon"]) for x in data["districts"]}
    allowed = {(s.lat, s.lon) for s in public} | {(x.lat, x.lon) for x in directory.districts}
    assert points <= allowed
    numbers = {float(n) for n in re.findall(r"-?\d+\.\d+", page)}
    for s in hidden:
        assert s.id not in page
        assert html.escape(s.name) not in page
        assert s.name not in page
        for text in (s.address, s.postcode):
            assert not text or (text not in page and html.escape(text) not in page)
        if (s.lat, s.lon) in allowed:
            continue  # the shipped refuges sit at their district's centre on purpose
        for places in range(2, 7):  # not even rounded
            assert round(s.lat, places) not in numbers, (s.id, places)
            assert round(s.lon, places) not in numbers, (s.id, places)


def test_the_check_above_would_see_a_hidden_site(tmp_path: Path) -> None:
    """Render the refuge as if it were public: the coordinates the test looks for are there."""
    d = load(site_directory(tmp_path))
    shown = d.model_copy(
        update={
            "agencies": tuple(
                a.model_copy(
                    update={"sites": tuple(s.model_copy(update={"hidden": False}) for s in a.sites)}
                )
                for a in d.agencies
            )
        }
    )
    page = render_map_page(SiteData.of(shown))
    numbers = {float(n) for n in re.findall(r"-?\d+\.\d+", page)}
    assert REFUGE_SITE["lat"] in numbers
    assert round(float(REFUGE_SITE["lon"]), 3) not in numbers  # only as written, not rounded
    assert REFUGE_SITE["name"] in {s["name"] for s in _island(page)["sites"]}


def test_directory_text_is_escaped_in_the_tables_and_the_data(tmp_path: Path) -> None:
    d = load(site_directory(tmp_path))
    page = render_map_page(SiteData.of(d))
    assert XSS_SCRIPT not in page
    assert "<img" not in page
    assert html_text(d.agency_by_id["hostile-agency"].name) in page
    island = re.search(r'id="map-data">(.*?)</script>', page)
    assert island is not None
    assert "<" not in island.group(1)
    data = _island(page)
    names = {s["name"] for s in data["sites"]}
    assert any("<img src=x" in n for n in names)  # the text itself, kept as text for textContent


def test_every_published_site_and_siteless_pathway_is_listed(directory) -> None:  # type: ignore[no-untyped-def]
    data = SiteData.of(directory)
    page = render_map_page(data)
    sites = re.search(r'<table class="pw-map-list map-sites">(.*?)</table>', page, re.S)
    assert sites is not None
    rows = sites.group(1).count("<tr data-needs=")
    assert rows == sum(len(a.sites) for a in data.directory.agencies)
    remote = re.search(r'<table class="pw-map-list map-remote">(.*?)</table>', page, re.S)
    siteless = [p for p in data.directory.pathways if p.active and not p.sites]
    assert remote is not None
    assert remote.group(1).count("<tr data-needs=") == len(siteless)
    for p in siteless:
        assert f'href="../pathways/{p.id}/"' in remote.group(1)
    options = re.findall(r'<option value="([a-z_]+)">', page)
    offered = {n for p in data.directory.pathways if p.active for n in p.needs}
    assert options == ["all", *(n.id for n in data.directory.needs if n.id in offered)]


def test_district_pathways_by_need_are_the_district_pages_options() -> None:
    d = load()
    data = SiteData.of(d)
    facts = map_data(data)
    for x in facts["districts"]:
        for need in d.needs:
            expected = [p.id for p in data.options.get((need.id, x["id"]), ())]
            assert x["pathways"].get(need.id, []) == expected
        assert set(x["pathways"]["all"]) == {
            p for ids in x["pathways"].values() for p in ids if ids
        }


def test_unmet_demand_is_the_gaps_pages_published_figure() -> None:
    d = load()
    result = gaps(d, demand_from_people(synthetic_cohort(d, 350, seed=0), period="2026-11"))
    page = render_map_page(SiteData.of(d), gaps=result, illustrative=True)
    data = _island(page)
    assert data["period"] == "2026-11"
    tables = published(result, groups=need_groups(d))  # as the gaps page publishes them
    labels = {(b.row, b.column): b.label() for b in published_bars(result, tables["cells"])}
    by_district = regroup(result, lambda c: (ALL, c.district))
    totals = {b.column: b.label() for b in published_bars(by_district, tables["by_district"])}
    seen = 0
    for x in data["districts"]:
        for need, text in x["unmet"].items():
            if need != "all":
                assert text == labels[(need, x["id"])]
                seen += 1
            for count in re.findall(r"(?:unmet|of|demand) (\S+)", text):
                assert count in ("<5", "[c]") or int(count) >= 5, text
        assert x["unmet"][ALL] == totals[x["id"]]  # the district's published total
        total = sum(c.demand for c in result.cells if c.district == x["id"])
        shown = re.fullmatch(r"(?:unmet \S+ of|demand) (\S+)( \(\d+%\))?", x["unmet"][ALL])
        assert shown, x["unmet"][ALL]
        assert shown[1] in ("<5", "[c]") or int(shown[1]) == total
    assert seen == len(result.cells)
    assert "for 2026-11 (illustrative synthetic demand)" in page


def test_leaflet_is_vendored_with_its_licence_and_the_pinned_version() -> None:
    folder = ROOT / "docs" / "assets" / "leaflet"
    assert (folder / "LICENSE").read_text().startswith("BSD 2-Clause License")
    head = (folder / "leaflet.js").read_text()[:200]
    assert f"Leaflet {LEAFLET_VERSION}" in head
    script = (ROOT / "scripts" / "vendor_leaflet.sh").read_text()
    assert f"VERSION={LEAFLET_VERSION}" in script
    import hashlib

    sums = dict(
        reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines()
    )
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
