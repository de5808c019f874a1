"""The website's pages as pure functions: golden files, escaping, hidden sites, downloads, nav.

Golden files live in tests/golden/site/; ``UPDATE_GOLDEN=1 pytest tests/test_site_pages.py``
rewrites them (and docs/problems.md) after an intended change: review the diff before committing.
"""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from directory.loading import load, read_directory
from pathways.commands.site import site
from pathways.site import render_files, render_nav, render_pages, render_problems
from pathways.site.escape import md_link, md_text, safe_link
from pathways.site.public import public_view
from tests.factories import REFUGE_SITE, XSS_IMG, XSS_SCRIPT, make_directory, site_directory

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "site"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
# the extensions mkdocs.yml loads that change how inline text is read
EXTENSIONS = ["tables", "attr_list", "admonition", "toc"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    return load(site_directory(tmp_path_factory.mktemp("site")))


@pytest.fixture(scope="module")
def shipped():
    return load()


def _compare(expected_root: Path, actual: dict[str, str]) -> None:
    if UPDATE:
        for old in expected_root.rglob("*"):
            if old.is_file() and old.relative_to(expected_root).as_posix() not in actual:
                old.unlink()
        for rel, text in actual.items():
            target = expected_root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    on_disk = {
        p.relative_to(expected_root).as_posix(): p.read_text(encoding="utf-8")
        for p in expected_root.rglob("*")
        if p.is_file()
    }
    assert sorted(on_disk) == sorted(actual), "pages added or removed: UPDATE_GOLDEN=1"
    for rel, text in actual.items():
        assert text == on_disk[rel], f"{rel} differs from its golden file (UPDATE_GOLDEN=1)"


def test_pages_equal_golden_files(hostile) -> None:
    _compare(GOLDEN / "pages", render_pages(hostile, oruk=False))


def test_download_yaml_equals_golden_files(hostile) -> None:
    files = render_files(hostile, oruk=False)
    texts = {k: v.decode("utf-8") for k, v in files.items() if k.endswith(".yaml")}
    _compare(GOLDEN / "files", texts)


def test_problem_catalogue_page_equals_code() -> None:
    page = ROOT / "docs" / "problems.md"
    if UPDATE:
        page.write_text(render_problems(), encoding="utf-8")
    assert page.read_text(encoding="utf-8") == render_problems()


def test_every_problem_code_is_on_the_page() -> None:
    from directory.problems import CATALOGUE

    text = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, flags=re.M))
    assert documented == set(CATALOGUE)


def test_rendering_is_deterministic(shipped) -> None:
    assert render_pages(shipped) == render_pages(shipped)
    assert render_files(shipped) == render_files(shipped)


# ------------------------------------------------------------------ hidden sites


def hidden_strings(directory) -> list[str]:
    """Name, id, address, postcode and coordinates (as pages would print them) of hidden sites.

    Strings that the public part of the directory holds anyway are left out: coordinates shared
    with a published site or a town (the shipped refuges sit at their town's centre on purpose),
    and a name that a source title repeats ("Peterborough Women's Aid refuge details").
    """
    published = public_view(directory).model_dump_json()
    public = {
        (round(s.lat, 5), round(s.lon, 5))
        for a in directory.agencies
        for s in a.sites
        if not s.hidden
    } | {(round(t.lat, 5), round(t.lon, 5)) for t in directory.towns}
    out = []
    for agency in directory.agencies:
        for s in agency.sites:
            if s.hidden:
                out += [s.name, s.id] + [x for x in (s.address, s.postcode) if x]
                if (round(s.lat, 5), round(s.lon, 5)) not in public:
                    out += [f"{s.lat:.4f}, {s.lon:.4f}", f"{s.lat:.5f}", f"{s.lon:.5f}"]
    return [x for x in out if x not in published]


@pytest.mark.parametrize("which", ["hostile", "shipped"])
def test_hidden_sites_are_absent_from_every_page_and_file(which, request) -> None:
    directory = request.getfixturevalue(which)
    secrets = hidden_strings(directory)
    assert secrets, "the directory under test must hold a hidden site"
    if which == "hostile":
        assert len(secrets) == 7
    pages = render_pages(directory)
    files = render_files(directory)
    blob = "\n".join(pages.values()) + "\n".join(
        v.decode("utf-8", "replace") for v in files.values()
    )
    for secret in secrets:
        for form in {secret, md_text(secret), html.escape(secret)}:
            assert form not in blob, f"hidden site leaked: {form!r}"


def test_published_sites_are_shown(hostile) -> None:
    page = render_pages(hostile)["agencies/zeta-womens-aid.md"]
    assert "Zeta Public Office" in page
    assert REFUGE_SITE["name"] not in page


def test_public_view_drops_hidden_sites_and_references(hostile) -> None:
    view = public_view(hostile)
    assert not any(s.hidden for a in view.agencies for s in a.sites)
    assert "zeta-refuge-house" not in {s for p in view.pathways for s in p.sites}
    assert view.pathway_by_id["zeta-outreach"].sites == ("zeta-womens-aid-office",)


def test_downloaded_yaml_loads_back_as_the_public_directory(tmp_path, hostile) -> None:
    for rel, data in render_files(hostile, oruk=False).items():
        if rel.startswith("downloads/yaml/"):
            target = tmp_path / rel.removeprefix("downloads/yaml/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    loaded, report = read_directory(tmp_path)
    assert report.ok, report.flatten(["file", "code", "message"])
    assert loaded is not None
    assert loaded.model_dump() == public_view(hostile).model_dump()


# ------------------------------------------------------------------ escaping


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        self.text.append(data)


def _render(md: str) -> _Text:
    parser = _Text()
    parser.feed(markdown.markdown(md, extensions=EXTENSIONS))
    parser.close()
    return parser


def _shown(text: str) -> str:
    """What a reader should see: the text without control characters, on one line."""
    return " ".join(re.sub(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]", "", text).split())


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_md_text_renders_as_the_same_text_and_no_markup(text) -> None:
    rendered = _render("Value: " + md_text(text))
    assert set(rendered.tags) <= {"p"}
    assert "".join(rendered.text).rstrip() == ("Value: " + _shown(text)).rstrip()


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_md_text_after_a_line_of_text_starts_no_block(text) -> None:
    rendered = _render("First line\n" + md_text(text))
    assert set(rendered.tags) <= {"p"}
    assert "".join(rendered.text).rstrip() == ("First line\n" + _shown(text)).rstrip()


BLOCK_STARTS = [
    "===",
    "---",
    "***",
    "1. item",
    "2) item",
    "- item",
    "+ item",
    "# heading",
    "> quote",
    "    code",
    "```fence```",
    "<div>raw</div>",
    "[ref]: https://example.org",
    "!!! note",
    "| a | b |",
    "{: .cls }",
    "&amp; &#60;",
    "\x02wzxhzdk:0\x03",
]


@pytest.mark.parametrize("text", BLOCK_STARTS)
def test_md_text_escapes_every_block_start(text) -> None:
    for md in (md_text(text), "First line\n" + md_text(text)):
        rendered = _render(md)
        assert set(rendered.tags) <= {"p"}, md
        assert "".join(rendered.text).endswith(_shown(text)), md


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_md_text_alone_on_a_line_starts_no_block(text) -> None:
    rendered = _render(md_text(text))
    assert set(rendered.tags) <= {"p"}
    assert "".join(rendered.text) == _shown(text)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:x",
        "data:text/html,<script>",
        "file:///etc/passwd",
        "//evil.example/x",
        "https:/no-host",
        "",
    ],
)
def test_unsafe_links_are_refused(url) -> None:
    assert safe_link(url) is None
    assert md_link("text", url) == "text"


@given(st.text())
def test_safe_links_keep_a_safe_scheme_and_cannot_break_out(url) -> None:
    out = safe_link(url)
    if out is not None:
        assert out.split(":", 1)[0] in {"http", "https", "mailto", "tel"}
        assert not set(out) & set(" \t\n\"'<>()`\\")
        rendered = _render(md_link("x", url))
        assert rendered.tags == ["p", "a"]


def test_no_page_contains_raw_html_from_the_directory(hostile) -> None:
    pages = render_pages(hostile)
    for path, text in pages.items():
        assert "<script" not in text, path
        assert "<img" not in text, path
        assert "](javascript:" not in text, path
    page = pages["agencies/hostile-agency.md"]
    assert md_text(XSS_SCRIPT) in page
    assert md_text(XSS_IMG) in page


def test_titles_are_html_escaped_in_front_matter(hostile) -> None:
    page = render_pages(hostile)["agencies/hostile-agency.md"]
    title = page.split("\n")[1]
    assert title.startswith("title: ")
    assert "<" not in title
    assert "&lt;img" in title


# ------------------------------------------------------------------ content


def test_need_and_pathway_pages_carry_synonyms_for_search(shipped) -> None:
    pages = render_pages(shipped)
    assert "drink" in pages["needs/alcohol.md"]
    alcohol = [p for p in shipped.pathways if "alcohol" in p.needs]
    assert alcohol
    for p in alcohol:
        assert "drink" in pages[f"pathways/{p.id}.md"], p.id


def test_generated_pages_point_edits_at_the_yaml_that_made_them(shipped) -> None:
    pages = render_pages(shipped)
    for agency in shipped.agencies:
        expected = f'edit_path: "agencies/{agency.id}.yaml"'
        assert expected in pages[f"agencies/{agency.id}.md"]
        for p in agency.pathways:
            assert expected in pages[f"pathways/{p.id}.md"]
    assert 'edit_path: "needs.yaml"' in pages["needs/alcohol.md"]


def test_every_page_and_link_target_exists(shipped) -> None:
    pages = render_pages(shipped)
    files = render_files(shipped)
    for path, text in pages.items():
        for target in re.findall(r"\]\(([^)]+?\.(?:md|yaml|zip))\)", text):
            resolved = os.path.normpath(os.path.join(os.path.dirname(path), target))
            if resolved.endswith(".md") and resolved not in ("directory-format.md",):
                assert resolved in pages, f"{path} links to missing {resolved}"
            elif not resolved.endswith(".md"):
                assert resolved in files, f"{path} links to missing {resolved}"


def test_coverage_counts_match_an_independent_count(shipped) -> None:
    page = render_pages(shipped)["coverage.md"]
    rows = [line for line in page.splitlines() if line.startswith("| [")]
    assert len(rows) == len(shipped.needs)
    for need, row in zip(shipped.needs, rows, strict=True):
        counts = [int(c) for c in re.findall(r'class="cov cov-\d" title="[^"]*">(\d+)<', row)]
        expected = []
        for x in shipped.districts:
            n = 0
            for agency in shipped.agencies:
                for p in agency.pathways:
                    sites = {s.district for s in agency.sites if s.id in p.sites and not s.hidden}
                    served = p.districts == "all" or x.id in p.districts or x.id in sites
                    remote_everywhere = (
                        bool({"online", "phone"} & set(p.delivery)) and not p.districts
                    )
                    n += p.active and need.id in p.needs and (served or remote_everywhere)
            expected.append(n)
        assert counts == expected, need.id


def test_nav_lists_hand_pages_when_present(shipped) -> None:
    nav = render_nav(shipped, ["directory-format.md", "performance.md", "reference/cli.md"])
    flat = str(nav)
    assert "performance.md" in flat
    assert "reference/cli.md" in flat
    assert "open-referral.md" not in flat
    assert "pathways/index.md" in flat
    assert "needs/index.md" in flat
    assert "needs/alcohol.md" not in flat  # entity pages are reached from their index


# ------------------------------------------------------------------ command


def test_site_build_refuses_a_broken_directory(tmp_path) -> None:
    broken = make_directory(tmp_path, agencies={"bad": "id: bad\nname: [unclosed\n"})
    result = CliRunner().invoke(site, ["build", "--dir", str(broken), "--out", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert not (tmp_path / "s").exists()


def test_site_build_without_config_is_a_usage_error(tmp_path) -> None:
    result = CliRunner().invoke(
        site, ["build", "--config-file", str(tmp_path / "missing.yml"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2


def test_pathway_pages_say_the_level_of_each_need_and_what_is_alongside() -> None:
    """A commissioner reading a pathway page sees, per need, the level of provision (L1-L4, as
    the matcher reads it) and which needs it only helps with alongside its main work."""
    from directory.models import LEVEL_WORDS
    from pathways.site.common import SiteData
    from pathways.site.pathway_pages import render_pathway

    d = load()
    data = SiteData.of(d)
    for p in d.pathways:
        text = render_pathway(data, p)
        for n in p.needs:
            label = md_text(d.need_by_id[n].label)
            line = next(x for x in text.splitlines() if x.startswith(f"- [{label}]"))
            assert line.split("): ", 1)[1] == LEVEL_WORDS[p.level_of(n)] + (
                "" if n not in p.alongside else ", alongside its main work"
            )
    shelter = render_pathway(data, d.pathway_by_id["cyrenians-supported-accommodation"])
    assert "residential, crisis or refuge provision (L4)" in shelter
    assert "alongside its main work" in shelter
