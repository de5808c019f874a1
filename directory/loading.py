"""YAML folder -> :class:`~directory.models.Directory`, keeping the file and line of every problem.

Loading never stops at the first problem. Each file is read and parsed on its own; each record is
validated on its own, so one broken pathway does not hide the next; then the cross-record rules run
on every record that was valid. Every problem comes back in one :class:`~directory.problems.Report`.

>>> d = load()                       # the shipped Cambridgeshire & Peterborough directory
>>> len(d.districts), len(d.agencies) >= 35
(6, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from directory import rules
from directory.errors import DataError
from directory.models import (
    Agency,
    Area,
    Capacity,
    Contact,
    Directory,
    District,
    Eligibility,
    Need,
    NeedGroup,
    Pathway,
    PostcodeDistrict,
    Site,
    Source,
    Town,
)
from directory.problems import CATALOGUE, Problem, Report
from directory.yamlpos import Mark, YamlError, parse

if TYPE_CHECKING:
    import os

    from directory.yamlpos import Path as YPath

__all__ = [
    "MAX_FILE_BYTES",
    "default_path",
    "load",
    "read_directory",
    "validate",
]

#: Files larger than this are refused before they are read (a directory file is a few KB).
MAX_FILE_BYTES = 2 * 1024 * 1024

NEEDS_FILE = "needs.yaml"
LOCALITIES_FILE = "localities.yaml"
AGENCIES_DIR = "agencies"

_LISTS: dict[str, dict[str, type[BaseModel]]] = {
    NEEDS_FILE: {"groups": NeedGroup, "needs": Need},
    LOCALITIES_FILE: {
        "areas": Area,
        "districts": District,
        "towns": Town,
        "postcode_districts": PostcodeDistrict,
    },
}
_SCALARS: dict[str, set[str]] = {
    NEEDS_FILE: {"version"},
    LOCALITIES_FILE: {"attribution", "version"},
}
_FIELD_NAMES = sorted(
    {
        name
        for model in (
            Agency,
            Pathway,
            Site,
            Eligibility,
            Capacity,
            Contact,
            Source,
            Need,
            NeedGroup,
            District,
            Town,
            PostcodeDistrict,
            Area,
        )
        for name in model.model_fields
    }
)


def default_path() -> Path:
    """The folder of the shipped Cambridgeshire & Peterborough directory (package data)."""
    return Path(str(resources.files("directory") / "data"))


@dataclass
class _Source:
    """What the loader knows about one file: its marks and its raw value."""

    name: str
    marks: dict[YPath, Mark] = field(default_factory=dict)
    value: Any = None


@dataclass
class _Builder:
    root: Path
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, _Source] = field(default_factory=dict)
    items: dict[str, list[Any]] = field(default_factory=dict)
    # where each item of the Directory came from: (root key, index) -> (file, path in file)
    origin: dict[tuple[str, int], tuple[str, YPath]] = field(default_factory=dict)
    attribution: str | None = None

    # ------------------------------------------------------------------ files
    def add(
        self,
        code: str,
        message: str,
        file: str | None,
        mark: Mark | None = None,
        record: str | None = None,
        fld: str | None = None,
        hint: str = "",
    ) -> None:
        self.problems.append(
            Problem(
                code,
                message,
                file=file,
                line=mark.line if mark else None,
                column=mark.column if mark else None,
                record=record,
                field=fld,
                hint=hint,
            )
        )

    def read(self, relative: str) -> _Source | None:
        path = self.root / relative
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            self.add("missing-file", f"{relative} is missing", relative)
            return None
        except OSError as err:
            self.add("unreadable-file", f"{relative} cannot be read: {err.strerror}", relative)
            return None
        if not path.is_file():
            self.add("unreadable-file", f"{relative} is a folder, not a file", relative)
            return None
        if size > MAX_FILE_BYTES:
            self.add(
                "file-too-large",
                f"{relative} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                relative,
            )
            return None
        try:
            raw = path.read_bytes()
        except OSError as err:
            self.add("unreadable-file", f"{relative} cannot be read: {err.strerror}", relative)
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw.count(b"\n", 0, err.start) + 1
            self.add(
                "not-utf8",
                f"byte {raw[err.start]:#04x} is not UTF-8",
                relative,
                Mark(line, err.start - raw.rfind(b"\n", 0, err.start)),
            )
            return None
        if not text.strip():
            self.add("empty-file", f"{relative} is empty", relative)
            return None
        try:
            value, marks = parse(text, relative)
        except YamlError as err:
            self.add(err.code, err.message, relative, err.mark)
            return None
        src = _Source(relative, marks, value)
        self.sources[relative] = src
        return src

    # ------------------------------------------------------------------ records
    def validate(
        self, model: type[BaseModel], value: Any, src: _Source, path: YPath, kind: str
    ) -> BaseModel | None:
        try:
            return model.model_validate(value)  # the model's own validator, built once
        except ValidationError as err:
            seen: set[tuple[str, YPath]] = set()
            errors = err.errors()
            locs = [tuple(e["loc"]) for e in errors]
            for e in errors:
                if e["type"] == "too_short" and any(
                    len(other) > len(e["loc"]) and other[: len(e["loc"])] == e["loc"]
                    for other in locs
                ):
                    continue  # a list whose items failed: the items' own errors say why
                loc = tuple(p for p in e["loc"] if isinstance(p, int) or _is_field(p))
                code, message = _translate(e, loc, kind)
                if (code, loc) in seen:
                    continue
                seen.add((code, loc))
                full = (*path, *loc)
                bad_key = loc[-1] if code == "unknown-key" and loc else None
                hint = rules.did_you_mean(str(bad_key), _FIELD_NAMES) if bad_key else []
                self.add(
                    code,
                    message,
                    src.name,
                    _nearest(src.marks, full),
                    record=_record_id(src.value, full),
                    fld=_field(loc),
                    hint=f"Did you mean {', '.join(map(repr, hint))}?" if hint else "",
                )
            return None

    def load_list_file(self, relative: str) -> None:
        src = self.read(relative)
        if src is None:
            return
        if not isinstance(src.value, dict):
            self.add("wrong-type", f"{relative} must be a mapping of lists", relative, Mark(1, 1))
            return
        models = _LISTS[relative]
        for key, value in src.value.items():
            if key in _SCALARS[relative]:
                if key == "attribution":
                    if isinstance(value, str):
                        self.attribution = value
                    else:
                        self.add(
                            "wrong-type",
                            "attribution must be text",
                            relative,
                            src.marks.get((key,)),
                        )
                continue
            if key not in models:
                allowed = sorted(models) + sorted(_SCALARS[relative])
                self.add(
                    "unknown-key",
                    f"unknown key {key!r} in {relative}",
                    relative,
                    src.marks.get((key,)),
                    hint="Allowed keys: " + ", ".join(allowed) + ".",
                )
                continue
            if not isinstance(value, list):
                self.add("wrong-type", f"{key} must be a list", relative, src.marks.get((key,)))
                continue
            bucket = self.items.setdefault(key, [])
            for i, item in enumerate(value):
                rec = self.validate(models[key], item, src, (key, i), key)
                if rec is not None:
                    self.origin[(key, len(bucket))] = (relative, (key, i))
                    bucket.append(rec)

    def load_agency(self, relative: str) -> None:
        src = self.read(relative)
        if src is None:
            return
        if not isinstance(src.value, dict):
            self.add(
                "wrong-type",
                f"{relative} must describe one agency as a mapping",
                relative,
                Mark(1, 1),
            )
            return
        stem = Path(relative).stem
        if src.value.get("id") != stem:
            self.add(
                "file-name-mismatch",
                f"file {Path(relative).name} holds agency {src.value.get('id')!r}",
                relative,
                src.marks.get(("id",), Mark(1, 1)),
                record=str(src.value.get("id")),
            )
        agency = self.validate(Agency, src.value, src, (), "agency")
        if agency is not None:
            bucket = self.items.setdefault("agencies", [])
            self.origin[("agencies", len(bucket))] = (relative, ())
            bucket.append(agency)

    def locate(self, finding: rules.Finding) -> Problem:
        key, index, *rest = finding.path
        file, prefix = self.origin.get((str(key), int(index)), (None, ()))
        mark = _nearest(self.sources[file].marks, (*prefix, *rest)) if file else None
        return Problem(
            finding.code,
            finding.message,
            severity=CATALOGUE[finding.code][0],
            file=file,
            line=mark.line if mark else None,
            column=mark.column if mark else None,
            record=finding.record,
            field=finding.field,
            hint=finding.hint,
        )


def _is_field(part: str | int) -> bool:
    # pydantic adds union branch names ("tuple[...]", "literal['all']") and model names to locs
    return isinstance(part, str) and part.isidentifier() and not part[0].isupper()


def _field(loc: YPath) -> str | None:
    names = [p for p in loc if isinstance(p, str)]
    return names[-1] if names else None


def _nearest(marks: dict[YPath, Mark], path: YPath) -> Mark | None:
    for end in range(len(path), -1, -1):
        if path[:end] in marks:
            return marks[path[:end]]
    return None


def _record_id(value: Any, path: YPath) -> str | None:
    record: str | None = None
    node = value
    for part in path:
        if isinstance(node, dict):
            for key in ("id", "code", "name"):
                if isinstance(node.get(key), str | int):
                    record = str(node[key])
                    break
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
    if isinstance(node, dict):
        for key in ("id", "code", "name"):
            if isinstance(node.get(key), str | int):
                return str(node[key])
    return record


def _translate(error: Any, loc: YPath, kind: str) -> tuple[str, str]:
    kind_of = str(error["type"])
    where = ".".join(str(p) for p in loc) or kind
    if kind_of in CATALOGUE:
        return kind_of, str(error["msg"])
    if kind_of == "extra_forbidden":
        return "unknown-key", f"unknown key {loc[-1]!r}" if loc else "unknown key"
    if kind_of == "missing":
        return "missing-field", f"{where} is required"
    if loc and loc[-1] == "districts":
        return "invalid-value", "districts must be 'all' or a list of district ids"
    if (
        kind_of == "string_pattern_mismatch"
        and loc
        and loc[-1] in ("id", "group", "area", "district")
    ):
        return "invalid-id", f"{where} {error['input']!r} is not a valid id"
    if kind_of.endswith("_type") or kind_of.endswith("_parsing"):
        return "wrong-type", f"{where}: {error['msg']} (got {error['input']!r})"
    return "invalid-value", f"{where}: {error['msg']} (got {error['input']!r})"


def read_directory(
    path: str | os.PathLike[str] | None = None, *, today: date | None = None
) -> tuple[Directory | None, Report]:
    """Load a directory folder; return it (None when it has errors) and the full report."""
    root = Path(path) if path is not None else default_path()
    b = _Builder(root)
    if not root.is_dir():
        b.add("not-a-directory", f"{root} is not a folder", str(root))
        return None, Report.of(b.problems)
    b.load_list_file(NEEDS_FILE)
    b.load_list_file(LOCALITIES_FILE)
    agency_dir = root / AGENCIES_DIR
    if not agency_dir.is_dir():
        b.add("missing-file", f"{AGENCIES_DIR}/ folder is missing", AGENCIES_DIR + "/")
    else:
        for file in sorted(agency_dir.glob("*.yaml")):
            b.load_agency(f"{AGENCIES_DIR}/{file.name}")
    directory = Directory(
        attribution=b.attribution,
        **{key: tuple(value) for key, value in b.items.items()},
    )
    findings = rules.check(directory, today=today or date.today())
    problems = b.problems + [b.locate(f) for f in findings]
    report = Report.of(problems)
    return (directory if report.ok else None), report


def load(path: str | os.PathLike[str] | None = None, *, today: date | None = None) -> Directory:
    """Load and validate a directory folder (default: the shipped one).

    Raises :class:`~directory.errors.DataError` carrying every problem when any is an error;
    warnings do not stop loading (read them with :func:`read_directory`).
    """
    directory, report = read_directory(path, today=today)
    if directory is None:
        raise DataError(report)
    return directory


def validate(
    target: Directory | str | os.PathLike[str] | None = None, *, today: date | None = None
) -> Report:
    """Every problem of a directory folder, or of a Directory built in Python (no line numbers).

    >>> validate().ok
    True
    """
    if isinstance(target, Directory):
        findings = rules.check(target, today=today or date.today())
        files = {
            ("agencies", i): f"{AGENCIES_DIR}/{a.id}.yaml" for i, a in enumerate(target.agencies)
        }
        return Report.of(
            Problem(
                f.code,
                f.message,
                severity=CATALOGUE[f.code][0],
                file=files.get((str(f.path[0]), int(f.path[1])), _file_of(str(f.path[0]))),
                record=f.record,
                field=f.field,
                hint=f.hint,
            )
            for f in findings
        )
    return read_directory(target, today=today)[1]


def _file_of(key: str) -> str:
    return NEEDS_FILE if key in _LISTS[NEEDS_FILE] else LOCALITIES_FILE
