"""Cohort files: many assessments in CSV or JSON Lines, and plans written back.

The format is described in ``docs/cohort-format.md``. Columns (CSV) or keys (JSONL):

================ ======== ===========================================================
column           required meaning
================ ======== ===========================================================
reference        no       an opaque reference (never a name), carried to the plan
needs            yes      need words or ids separated by ``;`` (or a JSON list)
where            yes      a district, town, postcode district or ``"lat, lon"``
age              yes      whole years, 10 or more
gender           no       ``female``, ``male``, ``non_binary`` or words (woman, man...)
cohorts          no       cohort ids or words separated by ``;`` (or a JSON list)
offence          no       offence category
disposal         no       out-of-court disposal
engaged          no       ``agency-id:need|need;agency-id2`` (or a JSON object)
travel_km        no       km the person will travel (default 25)
accept_remote    no       yes/no (default yes)
accept_waitlist  no       yes/no (default no)
================ ======== ===========================================================

:func:`read_cohort` reads every row and reports every problem at once (file, line, column,
reference) in a :class:`~directory.problems.Report`; rows with problems are left out of the
assessments. :func:`write_plans` writes plans as JSON Lines (one plan a line) or CSV (one row
per referral, need already met, or need unmet).

>>> import tempfile, pathlib
>>> from directory.loading import load
>>> d = load()
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = pathlib.Path(tmp) / "cohort.csv"
...     _ = path.write_text("reference,needs,where,age\\nR1,housing;debt,Wisbech,34\\n"
...                         "R2,banana,Wisbech,9\\n", encoding="utf-8")
...     rows, report = read_cohort(path, d)
>>> [r.assessment.reference for r in rows]
['R1']
>>> report.flatten(["line", "field", "code"])
[[3, 'age', 'cohort-value'], [3, 'needs', 'cohort-value']]
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from directory.csvsafe import csv_rows, escape_row, read_csv_text
from directory.errors import AssessmentError, InvalidArgumentError, PathwaysError
from directory.jsonsafe import JsonError, loads
from directory.problems import Problem, Report
from matching.assessment import Assessment, Assessor, check_reference, parse_engaged

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from directory.models import Directory
    from matching.plan import Plan

__all__ = [
    "COLUMNS",
    "CSV_COLUMNS",
    "REQUIRED",
    "CohortRow",
    "RecordError",
    "assessment_from_record",
    "cohort_format",
    "iter_cohort",
    "read_cohort",
    "write_plans",
]

COLUMNS: tuple[str, ...] = (
    "reference",
    "needs",
    "where",
    "age",
    "gender",
    "cohorts",
    "offence",
    "disposal",
    "engaged",
    "travel_km",
    "accept_remote",
    "accept_waitlist",
)
"""Every column (CSV) or key (JSONL) of a cohort file, in the order a CSV is written."""

REQUIRED: tuple[str, ...] = ("needs", "where", "age")
"""Columns every row must fill."""

CSV_COLUMNS: tuple[str, ...] = (
    "reference",
    "district",
    "need",
    "need_label",
    "outcome",
    "pathway",
    "pathway_name",
    "agency",
    "agency_name",
    "site_name",
    "distance_km",
    "delivery",
    "reason",
)
"""Columns of plans written as CSV; ``outcome`` is referred, waitlisted, already-met or unmet."""

_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0"}


@dataclass(frozen=True, slots=True)
class CohortRow:
    """One assessment read from a cohort file, with the line it started on."""

    line: int
    assessment: Assessment


def cohort_format(path: str | os.PathLike[str]) -> str:
    """``"csv"`` or ``"jsonl"`` from a file name (``.csv``; ``.jsonl``, ``.ndjson``).

    >>> cohort_format("people.JSONL"), cohort_format("plans.csv")
    ('jsonl', 'csv')
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise InvalidArgumentError(
        f"{Path(path).name}: a cohort file is .csv or .jsonl, not {suffix or 'no suffix'!r}"
    )


def _records(path: Path, fmt: str, problems: list[Problem]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, record) of every row that has the shape of a row; problems for the others."""
    name = str(path)
    text = read_csv_text(path, problems, file=name)
    if text is None:
        return
    if fmt == "jsonl":
        yield from _jsonl(io.StringIO(text, newline=""), name, problems)
    else:
        yield from _csv(text, name, problems)


def _jsonl(
    handle: Iterable[str], name: str, problems: list[Problem]
) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            value = loads(text)
        except JsonError as err:
            problems.append(
                Problem("cohort-syntax", err.message, file=name, line=line, column=err.column)
            )
            continue
        if not isinstance(value, dict):
            problems.append(
                Problem("cohort-syntax", "a line must be one JSON object", file=name, line=line)
            )
            continue
        unknown = sorted(set(value) - set(COLUMNS))
        for key in unknown:
            problems.append(
                Problem(
                    "cohort-column",
                    f"unknown key {key!r}",
                    file=name,
                    line=line,
                    field=key,
                    record=_reference(value),
                )
            )
        if not unknown:
            yield line, value


def _csv(text: str, name: str, problems: list[Problem]) -> Iterator[tuple[int, dict[str, Any]]]:
    rows = csv_rows(text, name, "cohort-syntax", problems)
    first = next(rows, None)
    if first is None:
        problems.append(Problem("empty-file", f"{name} is empty", file=name))
        return
    header = first[1]
    columns = [h.strip().lower() for h in header]
    bad = False
    for i, column in enumerate(columns, start=1):
        if column not in COLUMNS:
            bad = True
            problems.append(
                Problem(
                    "cohort-column",
                    f"unknown column {column!r}",
                    file=name,
                    line=1,
                    column=i,
                    field=column,
                )
            )
    for column in REQUIRED:
        if column not in columns:
            bad = True
            problems.append(
                Problem(
                    "cohort-column", f"missing column {column!r}", file=name, line=1, field=column
                )
            )
    if len(set(columns)) != len(columns):
        bad = True
        twice = sorted({c for c in columns if columns.count(c) > 1})
        problems.append(
            Problem("cohort-column", f"column {', '.join(twice)} appears twice", file=name, line=1)
        )
    if bad:
        return
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            problems.append(
                Problem(
                    "cohort-syntax",
                    f"{len(row)} values where the header has {len(columns)} columns",
                    file=name,
                    line=line,
                )
            )
            continue
        yield line, dict(zip(columns, row, strict=True))


def _reference(record: dict[str, Any]) -> str | None:
    ref = record.get("reference")
    return ref if isinstance(ref, str) and ref.strip() else None


def _short(value: Any) -> str:
    """A value as JSON for a message, cut to 40 characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    return str(value)


def _words(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [w.strip() for w in str(value).split(";") if w.strip()]


def _flag(value: Any, default: bool) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        return value
    key = str(value).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidArgumentError(f"{value!r} is not yes or no")


def _row(
    assessor: Assessor, record: dict[str, Any]
) -> tuple[Assessment | None, list[tuple[str | None, str]]]:
    """The assessment of one record, or every (column, message) that stops it."""
    errors: list[tuple[str | None, str]] = _wrong_shapes(record)
    if errors:  # a JSON value of the wrong kind (a list for a number...) goes no further
        return None, errors
    values: dict[str, Any] = {}

    def field(column: str, read: Any) -> None:
        try:
            values[column] = read()
        except (PathwaysError, ValueError, TypeError) as err:
            errors.append((column, str(err)))

    for column in REQUIRED:
        if _text(record.get(column)) is None and not isinstance(record.get(column), list):
            errors.append((column, f"{column} is required"))
    if errors:
        return None, errors
    needs = record["needs"]
    field("needs", lambda: assessor.needs(_words(needs)))

    def where() -> str:
        text = str(_text(record["where"]))
        assessor.place(text)
        return text

    field("where", where)

    def age() -> int:
        raw = record["age"]  # text or a number: the shape gate let nothing else through
        try:
            number = float(raw) if not isinstance(raw, int) else raw
        except ValueError:
            raise InvalidArgumentError(f"age {raw!r} is not a whole number") from None
        if not math.isfinite(number) or number != int(number):
            raise InvalidArgumentError(f"age {raw!r} is not a whole number")
        if int(number) < 10:
            raise InvalidArgumentError("age is under 10, the age of criminal responsibility")
        return int(number)

    field("age", age)
    field("gender", lambda: assessor.gender(_text(record.get("gender"))))
    field("cohorts", lambda: tuple(assessor.cohort(c) for c in _words(record.get("cohorts"))))
    field("offence", lambda: assessor.offence(_text(record.get("offence"))))
    field("disposal", lambda: assessor.disposal(_text(record.get("disposal"))))

    def engaged() -> dict[str, tuple[str, ...]]:
        raw = record.get("engaged")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return {}
        given = (
            parse_engaged(raw)
            if isinstance(raw, str)
            else {str(k): tuple(_words(v)) for k, v in raw.items()}
        )
        out: dict[str, tuple[str, ...]] = {}
        for agency, words in given.items():
            out[assessor.agency(agency)] = tuple(assessor.need(w) for w in words)
        return out

    field("engaged", engaged)

    def travel() -> float:
        raw = _text(record.get("travel_km"))
        km = 25.0 if raw is None else float(raw)
        if not (math.isfinite(km) and km >= 0):
            raise InvalidArgumentError(f"travel_km {raw!r} is not 0 or more km")
        return km

    field("travel_km", travel)
    field("accept_remote", lambda: _flag(record.get("accept_remote"), True))
    field("accept_waitlist", lambda: _flag(record.get("accept_waitlist"), False))

    def reference() -> str | None:
        text = _text(record.get("reference"))
        return None if text is None else check_reference(text)

    field("reference", reference)
    if errors:
        return None, errors
    try:
        return (
            assessor.assess(
                needs=values["needs"],
                where=values["where"],
                age=values["age"],
                gender=values["gender"],
                cohorts=values["cohorts"],
                offence=values["offence"],
                disposal=values["disposal"],
                engaged=values["engaged"],
                travel_km=values["travel_km"],
                accept_remote=values["accept_remote"],
                accept_waitlist=values["accept_waitlist"],
                reference=values["reference"],
            ),
            [],
        )
    except (PathwaysError, ValueError) as err:
        return None, [(None, str(err))]


def iter_cohort(
    path: str | os.PathLike[str],
    directory_or_assessor: Directory | Assessor,
    problems: list[Problem],
    *,
    fmt: str | None = None,
) -> Iterator[CohortRow]:
    """The assessments of a cohort file one by one; problems are appended to ``problems``.

    For files too large to hold at once; :func:`read_cohort` reads a whole file.
    """
    assessor = (
        directory_or_assessor
        if isinstance(directory_or_assessor, Assessor)
        else Assessor(directory_or_assessor)
    )
    file = Path(path)
    kind = fmt or cohort_format(file)
    for line, record in _records(file, kind, problems):
        assessment, errors = _row(assessor, record)
        for column, message in errors:
            problems.append(
                Problem(
                    "cohort-value",
                    message,
                    file=str(file),
                    line=line,
                    field=column,
                    record=_reference(record),
                )
            )
        if assessment is not None:
            yield CohortRow(line, assessment)


def read_cohort(
    path: str | os.PathLike[str],
    directory_or_assessor: Directory | Assessor,
    *,
    fmt: str | None = None,
) -> tuple[tuple[CohortRow, ...], Report]:
    """Every assessment of a cohort file and every problem found in it (see the module notes).

    ``fmt`` is ``"csv"`` or ``"jsonl"`` (default: from the file name). Rows with problems are
    left out; the report lists each problem with file, line, column and reference.
    """
    problems: list[Problem] = []
    rows = tuple(iter_cohort(path, directory_or_assessor, problems, fmt=fmt))
    return rows, Report.of(problems)


def _plan_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    base = {"reference": plan.reference or "", "district": plan.district}
    for r in plan.referrals:
        yield base | {
            "need": r.need,
            "need_label": r.need_label,
            "outcome": r.status,
            "pathway": r.pathway,
            "pathway_name": r.pathway_name,
            "agency": r.agency,
            "agency_name": r.agency_name,
            "site_name": r.site_name or "",
            "distance_km": "" if r.distance_km is None else r.distance_km,
            "delivery": r.delivery,
            "reason": r.reason,
        }
    for m in plan.already_met:
        yield base | {
            "need": m.need,
            "need_label": m.need_label,
            "outcome": "already-met",
            "agency": m.agency,
            "agency_name": m.agency_name,
            "reason": "an agency already working with the person meets this need",
        }
    for u in plan.unmet:
        yield base | {
            "need": u.need,
            "need_label": u.need_label,
            "outcome": "unmet",
            "reason": f"{u.reason}: {u.explanation}",
        }


def write_plans(
    plans: Iterable[Plan], path: str | os.PathLike[str], *, fmt: str | None = None
) -> int:
    """Write plans to ``path`` as JSON Lines or CSV (see the module notes); returns how many.

    JSON Lines hold ``plan.model_dump(mode="json")``, one plan a line. CSV has the columns of
    :data:`CSV_COLUMNS`, one row per referral, need already met, or need unmet; a text cell that
    a spreadsheet would run as a formula is written with a leading ``'``
    (:func:`directory.csvsafe.escape_cell`).

    The file appears whole or not at all: plans go to a temporary file beside ``path``, which
    replaces ``path`` only once every plan is written (an error or a kill midway leaves ``path``
    as it was).
    """
    file = Path(path)
    kind = fmt or cohort_format(file)
    count = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            if kind == "jsonl":
                for plan in plans:
                    out.write(json.dumps(plan.model_dump(mode="json"), ensure_ascii=False))
                    out.write("\n")
                    count += 1
            else:
                writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="")
                writer.writeheader()
                for plan in plans:
                    writer.writerows(escape_row(row) for row in _plan_rows(plan))
                    count += 1
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def _is_text(v: object) -> bool:
    return v is None or isinstance(v, str)


def _is_words(v: object) -> bool:
    return _is_text(v) or (isinstance(v, list) and all(isinstance(w, str) for w in v))


def _is_number(v: object) -> bool:
    return _is_text(v) or (isinstance(v, int | float) and not isinstance(v, bool))


def _is_flag(v: object) -> bool:
    return _is_text(v) or isinstance(v, bool | int)


def _is_engaged(v: object) -> bool:
    return _is_text(v) or (
        isinstance(v, dict) and all(isinstance(k, str) and _is_words(w) for k, w in v.items())
    )


#: What each key of a JSON assessment may hold: (check, words for the message).
_SHAPES = {
    "reference": (_is_text, "text"),
    "needs": (_is_words, "text or a list of texts"),
    "where": (_is_text, "text"),
    "age": (_is_number, "a whole number"),
    "gender": (_is_text, "text"),
    "cohorts": (_is_words, "text or a list of texts"),
    "offence": (_is_text, "text"),
    "disposal": (_is_text, "text"),
    "engaged": (_is_engaged, "text or an object of lists of needs"),
    "travel_km": (_is_number, "a number of km"),
    "accept_remote": (_is_flag, "true or false"),
    "accept_waitlist": (_is_flag, "true or false"),
}


def _wrong_shapes(record: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(key, message) of every value of a kind its key cannot hold (CSV values are all text)."""
    return [
        (k, f"{k} {_short(record.get(k))} is not {_SHAPES[k][1]}")
        for k in COLUMNS
        if k in _SHAPES and not _SHAPES[k][0](record.get(k))
    ]


class RecordError(AssessmentError):
    """An assessment record (one JSON object) with problems; ``problems`` lists every
    ``(field, message)``, the field None when the problem is the record's as a whole."""

    def __init__(self, problems: Sequence[tuple[str | None, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in problems))


def assessment_from_record(assessor: Assessor, record: object) -> Assessment:
    """One assessment from one JSON object with the keys of a cohort file's JSON line.

    Read exactly as :func:`read_cohort` reads a line, so a service taking one assessment at a
    time answers as the file does. Every problem at once in a :class:`RecordError`.

    >>> from directory.loading import load
    >>> assessor = Assessor(load())
    >>> record = {"needs": ["debt"], "where": "Wisbech", "age": 30}
    >>> assessment_from_record(assessor, record).district
    'fenland'
    >>> assessment_from_record(assessor, {"needs": "dbet", "where": "Wisbech", "colour": 1})
    Traceback (most recent call last):
    ...
    matching.cohort.RecordError: colour: unknown key 'colour'
    """
    if not isinstance(record, dict):
        raise RecordError([(None, "an assessment must be one JSON object")])
    unknown = sorted(set(record) - set(COLUMNS))
    if unknown:
        raise RecordError([(str(key), f"unknown key {key!r}") for key in unknown])
    assessment, errors = _row(assessor, record)
    if assessment is None:
        raise RecordError(errors)
    return assessment
