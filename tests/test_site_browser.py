"""The built website in a real browser (Debian's Chromium driven by Playwright).

Two sites are built per test module with ``pathways site build`` (so through MkDocs, the hook and
the Material theme): the shipped directory, and a small one holding a refuge and an agency whose
text is hostile (script, onerror image, javascript: links). Each is served from a thread on
127.0.0.1. Screenshots of the main pages go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from directory.loading import load
from pathways.site.common import SiteData
from tests.factories import REFUGE_SITE, site_directory
from tests.test_site_pages import hidden_strings

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


GENERATED = (
    "index.md",
    "needs/",
    "districts/",
    "agencies/",
    "pathways/",
    "coverage.md",
    "places.md",
    "downloads.md",
    "downloads/",
    "capacity-gaps.md",
    "map.md",
)


def build(directory: Path | None, out: Path, demand: Path | None = None) -> Path:
    """``pathways site build`` into ``out``; no MkDocs warning may concern a generated page.

    Not ``--strict``: hand-written pages that others are still writing must not fail these tests
    (CI builds the committed docs with ``--strict``).
    """
    command = [sys.executable, "-m", "pathways.cli", "site", "build", "--no-strict"]
    command += ["--out", str(out)]
    if directory is not None:
        command += ["--dir", str(directory)]
    env = {k: v for k, v in os.environ.items() if k != "PATHWAYS_DEMAND"}
    if demand is not None:
        env["PATHWAYS_DEMAND"] = str(demand)
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    ours = [w for w in warnings if any(f"'{g}" in w for g in GENERATED)]
    assert ours == [], ours
    return out


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(None, tmp_path_factory.mktemp("shipped") / "site")


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return site_directory(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def hostile_site(hostile_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # a month with too few people to chart: the gaps page must say so in words
    demand = tmp_path_factory.mktemp("hostile-demand") / "counts.csv"
    demand.write_text(
        "district,need,period,count\nfenland,alcohol,2026-11,3\ncambridge,accommodation,2026-11,2\n"
    )
    return build(hostile_dir, tmp_path_factory.mktemp("hostile-site") / "site", demand)


def serve(folder: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def shipped_url(shipped_site: Path):
    server, url = serve(shipped_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path):
    server, url = serve(hostile_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (scripts/test.sh does it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _offline(route) -> None:
    """Answer requests that would leave the machine (the theme asks GitHub for repository
    facts) with an empty document: the tests use no network but the loopback."""
    route.fulfill(status=200, content_type="application/json", body="{}")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(lambda url: not url.startswith("http://127.0.0.1:"), _offline)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def search(pg, words: str):
    """Type into Material's search box as a person would; the result links once shown.

    The search worker loads its index after the page; keys typed before it is ready are not
    searched, so the words are typed again (as a person would) until results appear.
    """
    pg.locator("label.md-search__icon, .md-search__input").first.click()
    box = pg.locator("input.md-search__input")
    results = pg.locator(".md-search-result__item a")
    for _ in range(20):
        box.fill("")
        box.press_sequentially(words, delay=20)
        try:
            results.first.wait_for(timeout=1_000)
        except PlaywrightTimeout:  # the index is still loading
            continue
        return results
    raise AssertionError(f"search for {words!r} showed no result")


# ------------------------------------------------------------------ built files (no browser)


def _site_text(site: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in site.rglob("*") if p.is_file()
    )


def _forms(secret: str) -> set[str]:
    """The ways a string can be written in HTML, JSON or a URL."""
    quoted = {secret, html.escape(secret), html.escape(secret, quote=False)}
    quoted |= {s.replace("'", "&#39;") for s in quoted} | {s.replace("'", "&#x27;") for s in quoted}
    quoted.add(json.dumps(secret)[1:-1])
    quoted.add(secret.replace(" ", "+"))
    quoted.add(secret.replace(" ", "%20"))
    return quoted


@pytest.mark.parametrize("which", ["hostile", "shipped"])
def test_hidden_sites_are_absent_from_the_built_site(which, request, hostile_dir) -> None:
    site = request.getfixturevalue(f"{which}_site")
    directory = load(hostile_dir) if which == "hostile" else load()
    secrets = hidden_strings(directory)
    assert secrets
    blob = _site_text(site).casefold()
    assert (site / "search" / "search_index.json").is_file()
    assert (site / "downloads" / "directory-yaml.zip").is_file()
    for secret in secrets:
        for form in _forms(secret):
            assert form.casefold() not in blob, f"hidden site leaked: {form!r}"
    if which == "hostile":  # the check can fail: the published office is there
        assert "zeta public office" in blob
        assert REFUGE_SITE["name"].casefold() not in blob


def test_edit_links_open_the_agency_yaml(shipped_site: Path) -> None:
    agency_html = (shipped_site / "agencies" / "outside-links" / "index.html").read_text()
    edits = re.findall(r'href="([^"]+)"[^>]*rel="edit"', agency_html)
    assert edits
    assert edits[0].endswith("/edit/main/directory/data/agencies/outside-links.yaml")
    pathway_html = (
        shipped_site / "pathways" / "outside-links-holistic-support" / "index.html"
    ).read_text()
    assert "/edit/main/directory/data/agencies/outside-links.yaml" in pathway_html
    need_html = (shipped_site / "needs" / "alcohol" / "index.html").read_text()
    assert "/edit/main/directory/data/needs.yaml" in need_html
    hand = (shipped_site / "directory-format" / "index.html").read_text()
    assert "/edit/main/docs/directory-format.md" in hand


def test_a_directory_outside_the_repository_gets_no_edit_link(hostile_site: Path) -> None:
    agency_html = (hostile_site / "agencies" / "zeta-womens-aid" / "index.html").read_text()
    assert 'rel="edit"' not in agency_html


# ------------------------------------------------------------------ in the browser


@pytest.mark.browser
def test_home_page_lists_the_counts(page, shipped_url) -> None:
    d = load()
    page.goto(shipped_url)
    rows = {
        r.locator("td").nth(0).inner_text(): r.locator("td").nth(1).inner_text()
        for r in page.locator("article table tbody tr").all()
    }
    assert rows["Agencies"] == str(len(d.agencies))
    assert rows["Pathways"] == str(len(d.pathways))
    assert rows["Needs"] == str(len(d.needs))
    assert rows["Districts"] == str(len(d.districts))
    text = page.locator("article").inner_text()
    unchecked = sum(1 for a in d.agencies if a.last_verified is None)
    assert ("Last verified" in text) == (unchecked < len(d.agencies))
    assert (f"Not yet verified: {unchecked} agency" in text) == (unchecked > 0)
    shot(page, "home")


@pytest.mark.browser
def test_searching_drink_finds_an_alcohol_pathway(page, shipped_url) -> None:
    d = load()
    alcohol = {p.id for p in d.pathways if "alcohol" in p.needs}
    page.goto(shipped_url)
    results = search(page, "drink")
    hrefs = [a.get_attribute("href") or "" for a in results.all()]
    found = {m.group(1) for h in hrefs if (m := re.search(r"pathways/([a-z0-9-]+)/", h))}
    assert found & alcohol, hrefs
    shot(page, "search-drink")


def _fenland_needs() -> dict[str, str]:
    """Need id -> label for every need an active pathway offers in Fenland (by its districts,
    a site there, or phone/online delivery with no district named)."""
    d = load()
    out = {}
    for agency in d.agencies:
        for p in agency.pathways:
            sites = {s.district for s in agency.sites if s.id in p.sites and not s.hidden}
            serves = p.districts == "all" or "fenland" in p.districts or "fenland" in sites
            remote = bool({"online", "phone"} & set(p.delivery)) and not p.districts
            if p.active and (serves or remote):
                out.update({n: d.need_by_id[n].label for n in p.needs})
    return out


@pytest.mark.browser
def test_fenland_page_lists_an_option_for_every_need_covered_there(page, shipped_url) -> None:
    d = load()
    needs = _fenland_needs()
    assert needs
    page.goto(shipped_url + "districts/fenland/")
    for need_id, label in needs.items():
        heading = page.locator("article h3", has_text=label).first
        assert heading.count() == 1, label
        table = heading.locator("xpath=following-sibling::*[1]")
        links = table.locator("a[href*='/pathways/']").all()
        ids = {
            re.search(r"pathways/([a-z0-9-]+)/", a.get_attribute("href") or "").group(1)
            for a in links
        }
        assert ids, label
        assert all(need_id in d.pathway_by_id[i].needs for i in ids), (label, ids)
    shot(page, "district-fenland")


@pytest.mark.browser
def test_coverage_matrix_renders_with_counts_and_colours(page, shipped_url) -> None:
    d = load()
    page.goto(shipped_url + "coverage/")
    table = page.locator("article table").first
    rows = table.locator("tbody tr")
    assert rows.count() == len(d.needs) + 1  # one row per need, then holes
    headers = table.locator("thead th").all_inner_texts()
    assert headers[1:] == [x.label for x in d.districts]
    cells = table.locator("span.cov")
    assert cells.count() == len(d.needs) * len(d.districts)
    colours = {
        cls: page.locator(f".cov-legend .{cls}").evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for cls in ("cov-0", "cov-1", "cov-2", "cov-4")
    }
    assert len(set(colours.values())) == 4, colours
    for i in range(cells.count()):
        cell = cells.nth(i)
        count = int(cell.inner_text())
        band = (
            "cov-0" if count == 0 else "cov-1" if count == 1 else "cov-2" if count <= 3 else "cov-4"
        )
        assert band in (cell.get_attribute("class") or "")
        assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == colours[band]
    shot(page, "coverage")


@pytest.mark.browser
def test_keyboard_tab_reaches_a_link_and_enter_follows_it(page, shipped_url) -> None:
    page.goto(shipped_url)
    target = None
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e && e.tagName === 'A' ? [e.textContent.trim(), e.href] : null; }"
        )
        if focused and focused[0] == "Coverage":
            target = focused[1]
            break
    assert target, "Tab never reached the Coverage link"
    page.keyboard.press("Enter")
    page.wait_for_url(target)
    assert page.locator("article h1").inner_text().rstrip("¶") == "Coverage"


@pytest.mark.browser
def test_main_pages_screenshots(page, shipped_url) -> None:
    for name, path in [
        ("needs", "needs/"),
        ("need-alcohol", "needs/alcohol/"),
        ("districts", "districts/"),
        ("agencies", "agencies/"),
        ("agency-outside-links", "agencies/outside-links/"),
        ("pathway-outside-links-holistic-support", "pathways/outside-links-holistic-support/"),
        ("capacity", "places/"),
        ("downloads", "downloads/"),
        ("problems", "problems/"),
        ("reference-cli", "reference/cli/"),
    ]:
        response = page.goto(shipped_url + path)
        assert response is not None, path
        assert response.ok, path
        assert page.locator("article h1").count() == 1, path
        shot(page, name)


@pytest.mark.browser
def test_hostile_text_shows_as_text_and_never_runs(page, hostile_url) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in (
        "agencies/hostile-agency/",
        "pathways/hostile-agency-course/",
        "needs/alcohol/",
        "agencies/",
        "pathways/",
        "districts/fenland/",
    ):
        page.goto(hostile_url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => window.__xss") is None, path
        assert page.locator("article a[href^='javascript:' i]").count() == 0, path
        assert page.locator("article img").count() == 0, path
        assert page.locator("article script").count() == 0, path
    page.goto(hostile_url + "agencies/hostile-agency/")
    text = page.locator("article").inner_text()
    assert "<script>window.__xss = 1; alert('xss-script')</script>" in text
    assert "onerror=" in text
    assert "[click me](javascript:alert('xss-link'))" in text
    assert "<b>Agency</b>" in page.locator("article h1").inner_text()
    assert "<b>Agency</b>" in page.title()
    shot(page, "hostile-agency")
    # the search results show the same text: the index is escaped too
    assert search(page, "Evil Agency").count() > 0
    assert page.evaluate("() => window.__xss") is None
    assert page.locator(".md-search-result img, .md-search-result script").count() == 0
    shot(page, "hostile-search")
    assert dialogs == []
    assert errors == []
    assert not [url for url in requested if url.rstrip("/").endswith("/x")]  # no <img src=x>


# ------------------------------------------------------------------ the map and the gaps chart

TILES = "tile.openstreetmap.org"


def _sites_for(directory, need: str | None) -> set[str]:
    """Published sites where an active pathway (for ``need``, or any) is delivered."""
    out = set()
    for agency in directory.agencies:
        for s in agency.sites:
            if s.hidden:
                continue
            at = [p for p in agency.pathways if p.active and s.id in p.sites]
            if any(need is None or need in p.needs for p in at):
                out.add(s.id)
    return out


def _errors(pg) -> list[str]:
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def _map_ready(pg) -> None:
    pg.locator("#map-status").filter(has_text="shown for").wait_for()


@pytest.mark.browser
def test_map_draws_sites_and_districts_without_tiles_when_offline(page, shipped_url) -> None:
    d = load()
    errors = _errors(page)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.add_init_script("Object.defineProperty(navigator, 'onLine', {get: () => false})")
    page.goto(shipped_url + "map/")
    _map_ready(page)
    assert not [u for u in requested if TILES in u]  # offline: no tile is even asked for
    assert "pw-map-no-tiles" in (page.locator("#pathways-map").get_attribute("class") or "")
    sites = _sites_for(d, None)
    assert page.locator("path.pw-map-site").count() == len(sites)
    assert page.locator("path.pw-map-district").count() == len(d.districts)
    assert page.locator("#map-status").inner_text() == f"{len(sites)} sites shown for all needs"
    # the tables list everything without the map
    public = [s for a in d.agencies for s in a.sites if not s.hidden]
    assert page.locator("table.map-sites tbody tr").count() == len(public)
    districts = page.locator("table.map-districts tbody tr")
    assert districts.count() == len(d.districts)
    assert [districts.nth(i).locator("td").first.inner_text() for i in range(6)] == [
        x.label for x in d.districts
    ]
    shot(page, "map-offline")
    # a district's popup names its pathways, with links that open their pages
    page.locator("path.pw-map-district").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    first = d.districts[0]
    assert first.label in popup.inner_text()
    link = popup.locator("a[href*='/pathways/']").first
    href = link.get_attribute("href") or ""
    response = page.goto(urljoin(shipped_url + "map/", href))
    assert response is not None
    assert response.ok, href
    assert errors == []


@pytest.mark.browser
def test_map_asks_for_tiles_only_when_online(page, shipped_url) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.add_init_script("Object.defineProperty(navigator, 'onLine', {get: () => true})")
    page.goto(shipped_url + "map/")
    _map_ready(page)
    page.wait_for_load_state("networkidle")
    assert [u for u in requested if TILES in u]  # (answered by the test's offline route)


@pytest.mark.browser
def test_map_need_filter_shows_that_needs_sites_and_rows(page, shipped_url) -> None:
    d = load()
    data = SiteData.of(d)
    errors = _errors(page)
    page.goto(shipped_url + "map/")
    _map_ready(page)
    everything = page.locator("path.pw-map-site").count()
    # the need with the fewest sites (some), and a siteless pathway if one has both
    need = min(
        (n.id for n in d.needs if _sites_for(d, n.id)), key=lambda n: (len(_sites_for(d, n)), n)
    )
    sites = _sites_for(d, need)
    assert 0 < len(sites) < everything
    page.select_option("#map-need", need)
    label = d.need_by_id[need].label
    page.locator("#map-status").filter(has_text=label).wait_for()
    assert page.locator("path.pw-map-site").count() == len(sites)
    assert page.locator("table.map-sites tbody tr:visible").count() == len(sites)
    remote = [p for p in data.directory.pathways if p.active and not p.sites and need in p.needs]
    assert page.locator("table.map-remote tbody tr:visible").count() == len(remote)
    for x in d.districts:
        row = page.locator(f"tr[data-district='{x.id}']")
        shown = row.locator(".map-count").inner_text()
        assert shown == str(len(data.options.get((need, x.id), ()))), x.id
    assert page.url.endswith(f"#need={need}")
    shot(page, "map-gambling")
    page.reload()  # the need survives in the address
    page.locator("#map-status").filter(has_text=label).wait_for()
    assert page.locator("#map-need").input_value() == need
    page.select_option("#map-need", "all")
    page.locator("#map-status").filter(has_text="all needs").wait_for()
    assert page.locator("path.pw-map-site").count() == everything
    assert errors == []


@pytest.mark.browser
def test_map_never_shows_a_hidden_site(page, hostile_url, hostile_dir) -> None:
    d = load(hostile_dir)
    errors = _errors(page)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_url + "map/")
    _map_ready(page)
    data = page.evaluate("() => JSON.parse(document.getElementById('map-data').textContent)")
    public = _sites_for(d, None)
    assert {s["id"] for s in data["sites"]} == {
        s.id for a in d.agencies for s in a.sites if not s.hidden
    }
    markers = page.locator("path.pw-map-site")
    assert markers.count() == len(public)
    seen = []
    for i in range(markers.count()):
        markers.nth(i).click(force=True)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        seen.append(popup.inner_text())
    text = "\n".join(seen) + page.locator("article").inner_text()
    assert "Zeta Public Office" in text  # the check can fail: the published office is there
    assert REFUGE_SITE["name"] not in text
    assert REFUGE_SITE["address"] not in text
    assert "<img src=x" in text  # hostile names show as text
    assert page.evaluate("() => window.__xss") is None
    assert dialogs == []
    assert errors == []
    shot(page, "map-hostile")


@pytest.mark.browser
def test_gaps_page_draws_both_charts_for_a_year(page, shipped_url) -> None:
    page.goto(shipped_url + "capacity-gaps/")
    charts = page.locator("article img.gap-chart")
    assert charts.count() == 2
    for i in range(2):
        charts.nth(i).scroll_into_view_if_needed()
        assert charts.nth(i).evaluate("e => e.complete && e.naturalWidth > 0")
    assert "Too little is left" not in page.locator("article").inner_text()
    charts.first.scroll_into_view_if_needed()
    shot(page, "gaps-chart")


@pytest.mark.browser
def test_gaps_page_says_in_words_when_too_little_is_left(page, hostile_url) -> None:
    page.goto(hostile_url + "capacity-gaps/")
    article = page.locator("article")
    assert article.locator("img").count() == 0
    text = article.inner_text()
    assert "Too little is left to chart needs across the county" in text
    assert "Too little is left to chart need groups by district" in text
    assert "the counts for 2026 in counts.csv (1 month)" in text
    shot(page, "gaps-words")


@pytest.mark.browser
def test_compliance_page_shows_the_chart_and_the_published_report(page, shipped_url) -> None:
    """The page built without a ledger shows the synthetic year's report exactly as
    :func:`matching.compliance.published` suppresses it, every table, and a chart that loads."""
    from matching.compliance import compliance_report, published
    from matching.synthetic_cases import synthetic_year
    from pathways.compliance_files import TABLES, TITLES

    d = load()
    tables = published(compliance_report(synthetic_year(d, cases=1200), d))
    page.goto(shipped_url + "compliance/")
    chart = page.locator("article img[src$='compliance-chart.svg']")
    chart.scroll_into_view_if_needed()
    assert chart.evaluate("e => e.complete && e.naturalWidth > 0")
    headings = page.locator("article h2").all_inner_texts()
    assert [TITLES[name] for name in TABLES] == [h.rstrip("¶").strip() for h in headings][-6:]
    first = page.locator("article table").nth(0)
    header = [h.strip() for h in first.locator("thead th").all_inner_texts()]
    cells = [c.strip() for c in first.locator("tbody tr").nth(0).locator("td").all_inner_texts()]
    total = tables["total"][0]
    assert dict(zip(header, cells, strict=True)) == {
        k.replace("_", " "): str(v) for k, v in total.items()
    }
    shot(page, "compliance")
