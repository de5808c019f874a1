"""The YAML writer: the shipped directory round-trips, files look hand-written, writes are atomic.

Generated directories are in tests/test_loading_properties.py.
"""

from __future__ import annotations

import json
import os
import re
import stat
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from directory.dumping import KEY_ORDER, agency_yaml, as_loaded, dump, to_plain, write_atomic
from directory.errors import InvalidArgumentError
from directory.loading import default_path, load
from directory.models import Agency, Capacity, Directory, Pathway
from directory.schema import json_schemas

DOCS = Path(__file__).resolve().parents[1] / "docs" / "directory-format.md"


@pytest.fixture(scope="module")
def shipped() -> Directory:
    return load()


@pytest.fixture(scope="module")
def dumped(shipped: Directory, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dumped")
    dump(shipped, folder)
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_shipped_round_trip(shipped: Directory, dumped: Path) -> None:
    assert as_loaded(shipped) is shipped  # the loader's own order
    assert load(dumped) == shipped


def test_dump_of_a_dump_is_identical(dumped: Path, tmp_path: Path) -> None:
    dump(load(dumped), tmp_path)
    assert _files(tmp_path) == _files(dumped)


def test_writes_exactly_the_documented_files(shipped: Directory, dumped: Path) -> None:
    names = set(_files(dumped))
    expected = {"needs.yaml", "localities.yaml"} | {
        f"agencies/{a.id}.yaml" for a in shipped.agencies
    }
    assert names == expected  # no temporary file left behind


def test_files_are_no_longer_than_hand_written(dumped: Path) -> None:
    def lines(folder: Path) -> int:
        return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in folder.rglob("*.yaml"))

    assert lines(dumped) <= lines(default_path())


def test_defaults_are_left_out(dumped: Path) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (dumped / "agencies").glob("*.yaml"))
    for default in (
        "active: true",
        "per: month",
        "status: open",
        "hidden: false",
        "approximate: false",
        "delivery: [in_person]\n",
        "conditions: [rehabilitative]",
        "eligibility: {}",
        ": null",
        ": []",
    ):
        assert default not in text, default
    # and values that differ from the default are kept
    assert "active: false" in text or "per: week" in text or "status: waitlist" in text


def _documented_order() -> dict[str, list[str]]:
    """Key order in the agency example of docs/directory-format.md: the agency's own keys, and
    those of each list of records (sites, pathways, contacts, sources)."""
    example = DOCS.read_text(encoding="utf-8").split("## `agencies/<id>.yaml`", 1)[1]
    block = example.split("```yaml\n", 1)[1].split("```", 1)[0]
    order: dict[str, list[str]] = {"agency": []}
    section = "agency"
    for line in block.splitlines():
        m = re.match(r"^( *)(- )?([a-z_]+):", line)
        if not m:
            continue
        column = len(m.group(1)) + (2 if m.group(2) else 0)
        if column == 0:
            order["agency"].append(m.group(3))
            section = m.group(3)
        elif column == 4:
            order.setdefault(section, []).append(m.group(3))
    return order


def test_key_order_follows_the_format_doc(shipped: Directory) -> None:
    documented = _documented_order()
    assert documented["agency"][:3] == ["id", "name", "operator"]
    assert documented["sites"][:2] == ["id", "name"]
    assert documented["pathways"][-1] == "active"
    for a in shipped.agencies:
        data = yaml.safe_load(agency_yaml(a))
        assert list(data) == [k for k in documented["agency"] if k in data]
        for section in ("sites", "pathways", "contacts", "sources"):
            for record in data.get(section, []):
                assert list(record) == [k for k in documented[section] if k in record]


def test_key_order_table_names_every_field() -> None:
    for model, order in KEY_ORDER.items():
        assert sorted(order) == sorted(model.model_fields), model.__name__


def test_districts_all_dates_and_flow_lists(shipped: Directory, dumped: Path) -> None:
    with_all = next(a for a in shipped.agencies if any(p.districts == "all" for p in a.pathways))
    text = (dumped / "agencies" / f"{with_all.id}.yaml").read_text(encoding="utf-8")
    assert re.search(r"^    districts: all$", text, re.M)
    # the shipped entries are unverified: no date is written for them (none was invented)
    assert with_all.last_verified is None
    assert "last_verified" not in text
    assert re.search(r"^      updated: \d{4}-\d{2}-\d{2}$", text, re.M) or "capacity" not in text
    assert re.search(r"^    needs: \[[a-z_, ]+\]$", text, re.M)
    assert "&id" not in text
    assert "*id" not in text


def test_every_dumped_file_validates_against_its_schema(dumped: Path) -> None:
    schemas = json_schemas()

    def check(kind: str, path: Path) -> None:
        data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        validator = jsonschema.Draft202012Validator(schemas[kind])
        assert list(validator.iter_errors(data)) == [], path

    check("needs", dumped / "needs.yaml")
    check("localities", dumped / "localities.yaml")
    for path in (dumped / "agencies").glob("*.yaml"):
        check("agency", path)


AWKWARD = [
    "yes",
    "null",
    "2026-10-15",
    "01733 000000",
    "0o17",
    "- not a list",
    "key: value # not a comment",
    "'single' and \"double\" quotes",
    "Café – naïve 🙂 façade",
    "a  double  space and a\ttab",
    "line one\nline two\n\nline four",
    "ends with a line break\n",
    "x" * 90 + " then words " + "y" * 50,
    "a long sentence that goes on well past the width of a line so that it is folded, "
    "with  two  spaces in it, and: a colon, and # a hash, then more words to fold again",
    "odd breaks: \r carriage, \x85 next line, \u2028 line sep, \u2029 para sep",
    "& not an anchor, * not an alias, ! not a tag, % not a directive, @ and ` reserved",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_text_round_trips(shipped: Directory, tmp_path: Path, text: str) -> None:
    first = shipped.agencies[0]
    pathway = Pathway.model_validate(
        {**first.pathways[0].model_dump(), "description": text, "referral": text}
    )
    agency = Agency.model_validate(
        {**first.model_dump(), "name": text[:200], "description": text, "pathways": [pathway]}
    )
    d = shipped.model_copy(update={"agencies": (agency, *shipped.agencies[1:])})
    dump(d, tmp_path)
    again = load(tmp_path).agencies[0]
    assert again.name == agency.name
    assert again.description == agency.description
    assert again.pathways[0].referral == pathway.referral


def test_to_plain_leaves_out_defaults_only() -> None:
    cap = Capacity(places=0, per="week", status="closed", updated=date(2026, 1, 2))
    assert to_plain(cap) == {
        "places": 0,
        "per": "week",
        "status": "closed",
        "updated": date(2026, 1, 2),
    }
    p = Pathway(id="p", name="P", needs=("drugs",), districts="all", delivery=("in_person",))
    assert to_plain(p) == {"id": "p", "name": "P", "needs": ["drugs"], "districts": "all"}


# ------------------------------------------------------------------------ refusing and atomicity
def test_stale_agency_files_are_refused_or_pruned(shipped: Directory, tmp_path: Path) -> None:
    stale = tmp_path / "agencies" / "gone-agency.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("id: gone-agency\n", encoding="utf-8")
    with pytest.raises(InvalidArgumentError, match=r"gone-agency\.yaml"):
        dump(shipped, tmp_path)
    assert not (tmp_path / "needs.yaml").exists()  # refused before writing anything
    dump(shipped, tmp_path, prune=True)
    assert not stale.exists()
    assert load(tmp_path) == shipped


def test_duplicate_agency_ids_are_refused(shipped: Directory, tmp_path: Path) -> None:
    twice = shipped.model_copy(update={"agencies": (*shipped.agencies, shipped.agencies[0])})
    with pytest.raises(InvalidArgumentError, match=shipped.agencies[0].id):
        dump(twice, tmp_path)


def test_as_loaded_sorts_by_file_name() -> None:
    base = load().agencies[0]
    agencies = tuple(base.model_copy(update={"id": i}) for i in ("b", "a", "a-b"))
    d = Directory(agencies=agencies)
    assert [a.id for a in as_loaded(d).agencies] == ["a-b", "a", "b"]  # "-" sorts before "."


def test_write_atomic_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.yaml"
    write_atomic(target, "one\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    os.chmod(target, 0o600)
    write_atomic(target, "two: ü\n")
    assert target.read_bytes() == "two: ü\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["file.yaml"]


def test_write_atomic_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "file.yaml"
    write_atomic(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "half written \ud800 never")  # a lone surrogate cannot be UTF-8
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["file.yaml"]
