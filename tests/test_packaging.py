"""The distribution ships every package and data file the code needs.

An explicit ``packages`` list once left ``pathways.site`` and ``pathways.commands`` out of the
wheel: an editable install never notices, a real install loses the ``pathways`` command. These
tests read the setuptools configuration in ``pyproject.toml`` and resolve it the way setuptools
does, against the files on disk.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent
ROOTS = ("pathways", "directory", "matching")


def _config() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        tool = tomllib.load(f)["tool"]
    setuptools = tool["setuptools"]
    assert isinstance(setuptools, dict)
    return setuptools


def _packages_on_disk() -> set[str]:
    found = set()
    for top in ROOTS:
        for init in (ROOT / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    return found


def _packages_configured() -> set[str]:
    config = _config()
    if "packages" in config and isinstance(config["packages"], list):
        return set(config["packages"])
    find = config["packages"]["find"] if "packages" in config else {}  # type: ignore[index]
    include = find.get("include", ["*"])
    exclude = find.get("exclude", [])
    return set(find_packages(str(ROOT), include=include, exclude=exclude))


def test_every_package_is_in_the_distribution() -> None:
    on_disk = _packages_on_disk()
    assert {"pathways.site", "pathways.commands", "directory.oruk"} <= on_disk
    assert _packages_configured() == on_disk


def test_nothing_but_the_packages_is_shipped() -> None:
    assert all(p.split(".")[0] in ROOTS for p in _packages_configured())


def test_package_data_covers_the_shipped_directory_and_type_markers() -> None:
    data = _config()["package-data"]
    assert isinstance(data, dict)
    for top in ROOTS:
        assert "py.typed" in data[top]
        assert (ROOT / top / "py.typed").is_file()
    shipped = {
        p.relative_to(ROOT / "directory") for p in (ROOT / "directory" / "data").rglob("*.yaml")
    }
    assert shipped
    covered = {
        p.relative_to(ROOT / "directory")
        for pattern in data["directory"]
        for p in (ROOT / "directory").glob(pattern)
    }
    assert shipped <= covered
