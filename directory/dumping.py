"""Directory -> YAML folder, in the documented format, as short as hand-written files.

:func:`dump` writes ``needs.yaml``, ``localities.yaml`` and ``agencies/<id>.yaml`` so that
:func:`directory.loading.load` gives the same directory back (``load(dump(d)) == as_loaded(d)``;
tests check it on the shipped directory and on generated ones). What it writes:

* values equal to their default are left out (``active: true``, ``delivery: [in_person]``, empty
  lists, an empty ``eligibility``), so a file is no longer than a careful person would write it;
* keys in the order of ``docs/directory-format.md``: ``id`` and ``name`` (or ``label``) first,
  coordinates after the district;
* lists of words in flow style (``needs: [drugs, alcohol]``), towns and postcode districts one a
  line (``- {code: PE13, district: fenland, lat: 52.67, lon: 0.14}``), other records as blocks,
  with a blank line between the sites and between the pathways of an agency; long text folded
  (``>-``);
* ``districts: all`` stays ``all``; dates are ISO (``2026-10-15``); no anchors or aliases (the
  loader refuses them);
* each file atomically: a temporary file in the same folder, flushed and synced, then renamed over
  the old one, so a reader never sees half a file.

Comments in files that were there before are not kept: the writer knows the data, not the prose.

>>> import tempfile
>>> from directory.loading import load
>>> d = load()
>>> with tempfile.TemporaryDirectory() as folder:
...     _ = dump(d, folder)
...     load(folder) == as_loaded(d)
True
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel

from directory.errors import InvalidArgumentError
from directory.loading import AGENCIES_DIR, LOCALITIES_FILE, NEEDS_FILE
from directory.models import District, PostcodeDistrict, Site, Town

if TYPE_CHECKING:
    from collections.abc import Iterable

    from directory.models import Agency, Directory

__all__ = [
    "KEY_ORDER",
    "agency_yaml",
    "as_loaded",
    "dump",
    "to_plain",
    "to_yaml",
    "write_atomic",
]

#: Key order for the models whose field order is not the documented one (coordinates come from a
#: base class, so they would come first). Other models keep their field order.
KEY_ORDER: dict[type[BaseModel], tuple[str, ...]] = {
    Site: ("id", "name", "address", "postcode", "district", "lat", "lon", "approximate", "hidden"),
    District: ("id", "label", "area", "lat", "lon", "aliases"),
    Town: ("name", "district", "lat", "lon", "population"),
    PostcodeDistrict: ("code", "district", "lat", "lon"),
}
_WIDTH = 90  # PyYAML breaks at the first space past this: lines stay near 100 characters
_FOLD_AT = 80  # text longer than this is written folded (>-)
_ODD_BREAKS = frozenset("\r\x85\u2028\u2029")  # line breaks to YAML 1.1 other than \n


class _Flow(list[Any]):
    """A list written in flow style: ``[a, b, c]``."""


class _Row(dict[str, Any]):
    """A record written on one line: ``{name: Wisbech, district: fenland, ...}``."""


if TYPE_CHECKING:
    _SafeDumper = yaml.SafeDumper
else:  # libyaml's emitter when PyYAML has it: ten times faster than the pure-Python one
    _SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_SafeDumper):
    """Safe dumper that never writes anchors and aliases (the loader refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = None
    if _ODD_BREAKS & set(data):
        style = '"'  # PyYAML would fold these to spaces in any other style; escapes keep them
    elif "\n" in data:
        style = "|"
    elif len(data) > _FOLD_AT and " " in data:  # folding breaks lines at spaces only
        style = ">"
    # the emitter falls back to quotes when a block style cannot hold the text exactly
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_row(dumper: yaml.SafeDumper, data: _Row) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_Row, _represent_row)
_Dumper.add_representer(str, _represent_str)

_SCALARS = (str, int, float, bool, date, type(None))


def to_plain(value: Any) -> Any:
    """A model (or a value inside one) as plain YAML-ready data, defaults left out.

    >>> from directory.models import Capacity
    >>> to_plain(Capacity(places=8, updated="2026-10-01"))
    {'places': 8, 'updated': datetime.date(2026, 10, 1)}
    """
    if isinstance(value, BaseModel):
        cls = type(value)
        fields = cls.model_fields
        out: dict[str, Any] = {}
        for name in KEY_ORDER.get(cls, tuple(fields)):
            info = fields[name]
            item = getattr(value, name)
            if not info.is_required() and item == info.get_default(call_default_factory=True):
                continue
            out[name] = to_plain(item)
        return out
    if isinstance(value, tuple | list):
        items = [to_plain(v) for v in value]
        return _Flow(items) if all(isinstance(v, _SCALARS) for v in items) else items
    return value


def to_yaml(data: Any) -> str:
    """Plain data as YAML text in the style of the directory's files (no aliases, folded text).

    >>> print(to_yaml({"needs": ["drugs", "alcohol"], "note": "yes"}), end="")
    needs:
    - drugs
    - alcohol
    note: 'yes'
    """
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=_WIDTH,
        default_flow_style=False,
    )
    return text


def _section(key: str, items: list[Any], *, spaced: bool) -> str:
    """``key:`` and its list of records, each record dumped on its own and indented under it."""
    blocks = [textwrap.indent(to_yaml([item]), "  ") for item in items]
    return f"{key}:\n" + ("\n" if spaced else "").join(blocks)


def _is_records(value: Any) -> bool:
    return (
        isinstance(value, list)
        and not isinstance(value, _Flow)
        and bool(value)
        and all(isinstance(v, dict) for v in value)
    )


def _file(data: dict[str, Any], *, gaps: Iterable[str] = (), spaced: Iterable[str] = ()) -> str:
    """A file's text, key by key: lists of records as indented sections, the rest as they come.

    ``gaps`` names the sections with a blank line before them, ``spaced`` those with a blank line
    between their records.
    """
    parts: list[str] = []
    chunk: dict[str, Any] = {}
    for key, value in data.items():
        if not _is_records(value):
            chunk[key] = value
            continue
        if chunk:
            parts.append(to_yaml(chunk))
            chunk = {}
        gap = "\n" if parts and key in gaps else ""
        parts.append(gap + _section(key, value, spaced=key in spaced))
    if chunk:
        parts.append(to_yaml(chunk))
    return "".join(parts)


def agency_yaml(agency: Agency) -> str:
    """The text of one agency file.

    >>> from directory.loading import load
    >>> for line in agency_yaml(load().agency_by_id["cgl-cambridgeshire"]).splitlines()[:4]:
    ...     print(line)
    id: cgl-cambridgeshire
    name: Change Grow Live Cambridgeshire
    operator: Change Grow Live (CGL)
    description: >-
    """
    blocks = ("sites", "pathways")
    return _file(to_plain(agency), gaps=blocks, spaced=blocks)


def _needs_yaml(directory: Directory) -> str:
    data = {
        "groups": [to_plain(g) for g in directory.groups],
        "needs": [to_plain(n) for n in directory.needs],
    }
    return _file(data, gaps=data)


def _localities_yaml(directory: Directory) -> str:
    data: dict[str, Any] = {}
    if directory.attribution is not None:
        data["attribution"] = directory.attribution
    data["areas"] = [to_plain(a) for a in directory.areas]
    data["districts"] = [to_plain(d) for d in directory.districts]
    # gazetteer rows, one a line as in the hand-written file
    if directory.towns:
        data["towns"] = [_Row(to_plain(t)) for t in directory.towns]
    if directory.postcode_districts:
        data["postcode_districts"] = [_Row(to_plain(p)) for p in directory.postcode_districts]
    return _file(data, gaps=data)


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> Path:
    """Write ``text`` (UTF-8; or ``bytes`` as they are) to ``path`` atomically: temporary file,
    fsync, rename over.

    A reader sees the old file or the new one, never a mix; a crash leaves at most a stray
    ``.<name>.*.tmp`` file beside it. The file gets the old file's permissions (0644 when new).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if os.name == "posix":  # make the rename itself durable
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return target


def as_loaded(directory: Directory) -> Directory:
    """The directory as loading its files gives it back: agencies in file-name order.

    The loader reads ``agencies/*.yaml`` sorted by file name, which is not always id order
    (``a-b.yaml`` sorts before ``a.yaml``, since ``-`` sorts before ``.``). Nothing else moves.
    """
    ordered = tuple(sorted(directory.agencies, key=lambda a: f"{a.id}.yaml"))
    if ordered == directory.agencies:
        return directory
    return directory.model_copy(update={"agencies": ordered})


def dump(
    directory: Directory, folder: str | os.PathLike[str], *, prune: bool = False
) -> list[Path]:
    """Write ``directory`` as a directory folder; return the paths written.

    Existing files are replaced, each atomically. An agency file already in ``agencies/`` whose
    agency is not in ``directory`` would be loaded with it, so it is refused
    (:class:`~directory.errors.InvalidArgumentError`, before anything is written) unless
    ``prune=True``, which deletes such files after writing. Two agencies with the same id are
    refused too. The directory's records are written as they are: check it with
    :func:`directory.loading.validate` first if it was built in Python.
    """
    root = Path(folder)
    agencies_dir = root / AGENCIES_DIR
    ids = [a.id for a in directory.agencies]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise InvalidArgumentError(f"agency ids used twice: {', '.join(twice)}")
    wanted = {f"{i}.yaml" for i in ids}
    stale = (
        sorted(p for p in agencies_dir.glob("*.yaml") if p.name not in wanted)
        if agencies_dir.is_dir()
        else []
    )
    if stale and not prune:
        names = ", ".join(p.name for p in stale[:5]) + (" ..." if len(stale) > 5 else "")
        raise InvalidArgumentError(
            f"{agencies_dir} holds agencies that are not in the directory ({names}); "
            "pass prune=True to delete them"
        )
    written = [
        write_atomic(root / NEEDS_FILE, _needs_yaml(directory)),
        write_atomic(root / LOCALITIES_FILE, _localities_yaml(directory)),
    ]
    written += [
        write_atomic(agencies_dir / f"{a.id}.yaml", agency_yaml(a)) for a in directory.agencies
    ]
    agencies_dir.mkdir(parents=True, exist_ok=True)  # a directory with no agency still has one
    for path in stale:
        path.unlink()
    return written
