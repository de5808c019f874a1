"""Properties of loading: order does not matter, and writing then loading gives the same directory.

What "the same" means: the loader reads ``agencies/*.yaml`` sorted by file name, and keeps every
list inside a file in file order. So two folders holding the same records load to *equal*
Directory objects, whatever order the files were created in and whatever order the keys of each
mapping are in; and a directory written by :func:`directory.dumping.dump` loads back equal to
:func:`directory.dumping.as_loaded` of it: the same records, agencies in file-name order (which is
not always id order: ``a-b.yaml`` sorts before ``a.yaml``).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.dumping import as_loaded, dump, to_yaml
from directory.loading import load
from directory.models import Directory
from directory.schema import json_schemas
from directory.synthetic import synthetic_directory
from tests.strategies import ORUK_TODAY, directories, yaml_directories

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Real files, in memory when the machine has a tmpfs: fsync there costs nothing.
TMP = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


def _folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(dir=TMP)


SCHEMAS = json_schemas()


def _load(folder: Path) -> Directory:
    return load(folder, today=ORUK_TODAY)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


def _shuffled(value: Any, rng: random.Random) -> Any:
    """The same data with every mapping's keys in a random order (lists keep their order)."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: _shuffled(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def _rewrite(source: Path, target: Path, seed: int) -> None:
    """Copy a directory folder with keys shuffled, written in another style, files created in a
    random order."""
    rng = random.Random(seed)
    files = sorted(source.rglob("*.yaml"))
    rng.shuffle(files)
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(to_yaml(_shuffled(data, rng)), encoding="utf-8")


@PROPERTY
@given(d=yaml_directories(), seed=st.integers(0, 2**32 - 1))
def test_file_and_key_order_do_not_matter(d: Directory, seed: int) -> None:
    with _folder() as a, _folder() as b:
        dump(d, a)
        _rewrite(Path(a), Path(b), seed)
        first, second = _load(Path(a)), _load(Path(b))
        assert first == second
        assert first == as_loaded(d)
        file_order = sorted((x.id for x in d.agencies), key=lambda i: f"{i}.yaml")
        assert [x.id for x in first.agencies] == file_order


@PROPERTY
@given(d=yaml_directories())
def test_dump_then_load_is_identity(d: Directory) -> None:
    with _folder() as folder:
        dump(d, folder)
        assert _load(Path(folder)) == as_loaded(d)


@PROPERTY
@given(d=directories())
def test_dump_is_stable(d: Directory) -> None:
    """Writing what was loaded gives the same bytes: dump is a function of the loaded value."""
    with _folder() as a, _folder() as b:
        dump(d, a)
        dump(_load(Path(a)), b)
        assert _files(Path(a)) == _files(Path(b))


@PROPERTY
@given(d=yaml_directories())
def test_dumped_files_satisfy_the_schemas(d: Directory) -> None:
    with _folder() as folder:
        dump(d, folder)
        root = Path(folder)
        for kind, paths in (
            ("needs", [root / "needs.yaml"]),
            ("localities", [root / "localities.yaml"]),
            ("agency", sorted((root / "agencies").glob("*.yaml"))),
        ):
            validator = jsonschema.Draft202012Validator(SCHEMAS[kind])
            for path in paths:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                plain = json.loads(json.dumps(data, default=str))
                assert list(validator.iter_errors(plain)) == [], path.name


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 150), districts=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_synthetic_directories_round_trip(n: int, districts: int, seed: int) -> None:
    d = synthetic_directory(n, n_districts=districts, seed=seed, today=ORUK_TODAY)
    with _folder() as folder:
        dump(d, folder)
        again = _load(Path(folder))
    assert again == as_loaded(d)
    assert len(again.pathways) == n


def test_shipped_directory_round_trips(tmp_path: Path) -> None:
    shipped = load()
    dump(shipped, tmp_path)
    assert load(tmp_path) == shipped
