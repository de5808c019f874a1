"""Fuzzing: hypothesis mutates the inputs other people's systems send and runs the real command.

Inputs: the shipped directory (one YAML file mutated at a time), a cohort file (CSV and JSON
Lines), a counts table and an Open Referral UK JSON page, each mutated by
:func:`tests.strategies.mutated_text` (deletions, duplications, truncation, binary, NUL, unicode,
deep nesting, extreme numbers and dates) or :func:`tests.strategies.mutated_tree` (type swaps,
dropped and duplicated keys, extreme values, deep nesting). For every example:

* the exit code is 0, 1 or 2 and no traceback is printed (click's runner in-process; a share of
  the examples run ``python -m pathways.cli`` in a subprocess, where a segfault shows as a
  negative return code);
* every input file is byte-identical afterwards;
* no output is half written: it is absent (and no temporary file is left) unless the command
  succeeded, and then it parses whole.

Budget: ``PATHWAYS_FUZZ_EXAMPLES`` examples per target (default 6, for CI) and
``PATHWAYS_FUZZ_SUBPROCESS`` of them through a subprocess (default 1). A long run::

    PATHWAYS_FUZZ_EXAMPLES=400 PATHWAYS_FUZZ_SUBPROCESS=40 pytest -p no:xdist tests/test_fuzz.py

docs/input-limits.md records the figures of the last long run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from directory.loading import default_path
from pathways.cli import main
from tests.strategies import mutated_text, mutated_tree

EXAMPLES = int(os.environ.get("PATHWAYS_FUZZ_EXAMPLES", "6"))
IN_SUBPROCESS = int(os.environ.get("PATHWAYS_FUZZ_SUBPROCESS", "1"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="PATHWAYS_FUZZ_SEED" not in os.environ,
    suppress_health_check=list(HealthCheck),
    database=None,
)
SHIPPED = default_path()
AGENCY_FILES = sorted(p.name for p in (SHIPPED / "agencies").glob("*.yaml"))


class Run:
    """One fuzzing target's scratch folder and counter (a subprocess for the first few runs)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def fresh(self) -> Path:
        """An empty folder for one example."""
        self.count += 1
        folder = self.root / f"example-{self.count}"
        folder.mkdir()
        return folder

    def pathways(self, *args: str) -> tuple[int, str]:
        """Exit code and output of ``pathways ARGS``; fails on a traceback or a crash."""
        if self.count <= IN_SUBPROCESS:
            done = subprocess.run(
                [sys.executable, "-m", "pathways.cli", *args],
                capture_output=True,
                text=True,
                errors="replace",
                timeout=600,
                check=False,
                env={**os.environ, "COLUMNS": "200"},
            )
            output = done.stdout + done.stderr
            assert done.returncode in (0, 1, 2), (done.returncode, args, output[-3000:])
        else:
            result = CliRunner().invoke(main, list(args))
            output = result.output
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                raise AssertionError(f"exception from {args}") from result.exception
            assert result.exit_code in (0, 1, 2), (result.exit_code, args, output[-3000:])
            assert "Traceback" not in output
            event(f"exit {result.exit_code} (in-process)")
            return result.exit_code, output
        assert "Traceback" not in output, output[-3000:]
        event(f"exit {done.returncode} (subprocess)")
        return done.returncode, output


@pytest.fixture
def runs(tmp_path: Path) -> Run:
    return Run(tmp_path)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def assert_no_temporary_files(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")], list(folder.iterdir())


# ----------------------------------------------------------------------------- the directory


def _yaml_text(value: Any) -> bytes:
    try:
        return yaml.safe_dump(value, sort_keys=False, allow_unicode=True).encode("utf-8")
    except (yaml.YAMLError, RecursionError):
        return b"- unrepresentable\n"


@st.composite
def mutated_directory_file(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(
        st.sampled_from(["needs.yaml", "localities.yaml", *(f"agencies/{a}" for a in AGENCY_FILES)])
    )
    original = (SHIPPED / name).read_bytes()
    if draw(st.booleans()):
        return name, draw(mutated_text(original))
    tree = yaml.safe_load(original)
    return name, _yaml_text(draw(mutated_tree(tree)))


@FUZZ
@given(change=mutated_directory_file())
def test_validate_answers_any_mutation_of_the_shipped_directory(
    runs: Run, change: tuple[str, bytes]
) -> None:
    name, content = change
    folder = runs.fresh() / "directory"
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (folder / name).write_bytes(content)
    before = snapshot(folder)
    code, _ = runs.pathways("validate", "--json", str(folder))
    assert code in (0, 1)
    assert snapshot(folder) == before


# ---------------------------------------------------------------------------- cohort files

COHORT_CSV = (
    b"reference,needs,where,age,gender,cohorts,travel_km,accept_remote\r\n"
    b"R1,housing;debt,Wisbech,34,female,,25,yes\r\n"
    b"R2,drugs,PE1,19,male,veteran,10,no\r\n"
    b'R3,alcohol,"52.2, 0.12",51,,,,\r\n'
)
COHORT_JSONL = (
    b'{"reference": "R1", "needs": ["housing", "debt"], "where": "Wisbech", "age": 34}\n'
    b'{"reference": "R2", "needs": "drugs", "where": "PE1", "age": 19, "engaged": {}}\n'
    b'{"reference": "R3", "needs": ["alcohol"], "where": "52.2, 0.12", "age": 51.0}\n'
)


@st.composite
def mutated_cohort(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".csv", ".jsonl"]))
    original = COHORT_CSV if suffix == ".csv" else COHORT_JSONL
    if suffix == ".jsonl" and draw(st.booleans()):
        lines = [json.loads(line) for line in original.splitlines()]
        tree = draw(mutated_tree(lines))
        items = tree if isinstance(tree, list) else [tree]
        return suffix, b"\n".join(json.dumps(i).encode() for i in items) + b"\n"
    return suffix, draw(mutated_text(original))


@FUZZ
@given(cohort=mutated_cohort(), out_suffix=st.sampled_from([".csv", ".jsonl"]))
def test_match_file_answers_any_mutation_of_a_cohort(
    runs: Run, cohort: tuple[str, bytes], out_suffix: str
) -> None:
    suffix, content = cohort
    folder = runs.fresh()
    source = folder / f"cohort{suffix}"
    source.write_bytes(content)
    out = folder / f"plans{out_suffix}"
    code, output = runs.pathways("match", "--file", str(source), "--out", str(out))
    assert source.read_bytes() == content
    assert_no_temporary_files(folder)
    if code == 0:
        text = out.read_text("utf-8")
        if out_suffix == ".jsonl":
            assert all(isinstance(json.loads(line), dict) for line in text.splitlines())
        else:
            assert text.startswith("reference,district,need")
    else:
        assert not out.exists(), output


# ---------------------------------------------------------------------------- counts tables

COUNTS = (
    b"district,need,period,count,age,gender\r\n"
    b"fenland,debt,2026-11,12,,\r\n"
    b"peterborough,drugs,2026-11,7,19,male\r\n"
    b"cambridge,accommodation,2026-11,3,,female\r\n"
)


@FUZZ
@given(content=mutated_text(COUNTS))
def test_gaps_answers_any_mutation_of_a_counts_table(runs: Run, content: bytes) -> None:
    folder = runs.fresh()
    source = folder / "counts.csv"
    source.write_bytes(content)
    runs.pathways("gaps", "--demand", str(source), "--format", "json")
    assert source.read_bytes() == content
    assert_no_temporary_files(folder)


# ----------------------------------------------------------------------- Open Referral UK JSON


def _oruk_page() -> dict[str, Any]:
    from directory.loading import load
    from directory.oruk import export_services

    page = export_services(load())
    return {**page, "contents": page["contents"][:3], "total_items": 3, "total_pages": 1}


ORUK_PAGE = _oruk_page()


@st.composite
def mutated_oruk(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(mutated_text(json.dumps(ORUK_PAGE, indent=1).encode("utf-8")))
    try:
        return json.dumps(draw(mutated_tree(ORUK_PAGE))).encode("utf-8")
    except (ValueError, RecursionError):
        return b"{}"


@FUZZ
@given(content=mutated_oruk())
def test_import_answers_any_mutation_of_an_oruk_page(runs: Run, content: bytes) -> None:
    folder = runs.fresh()
    source = folder / "feed.json"
    source.write_bytes(content)
    out = folder / "imported"
    code, output = runs.pathways("import", str(source), "--out", str(out))
    assert code in (0, 1)
    assert source.read_bytes() == content
    if code == 0:
        assert runs.pathways("validate", "--json", str(out))[0] in (0, 1)
    else:
        assert not out.exists(), output
