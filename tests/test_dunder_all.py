"""Keep ``__all__`` honest: complete, importable, and the exception family in one place."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import directory
import directory.errors
import matching
import pathways

MODULES = sorted(
    f"{package.__name__}.{info.name}"
    for package in (directory, matching, pathways)
    for info in pkgutil.walk_packages(package.__path__)
    if not info.name.startswith("_")
)


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_what_it_exports(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    if exported is None:  # a package of sub-modules (pathways.commands, pathways.site) may omit it
        assert inspect.ismodule(module)
        return
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names missing {item!r}"
    public_defs = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and (inspect.isfunction(v) or inspect.isclass(v))
        and getattr(v, "__module__", None) == name
    }
    assert public_defs <= set(exported), (
        f"{name} defines but does not export {public_defs - set(exported)}"
    )


def test_public_api_exports_every_name_once() -> None:
    assert len(pathways.__all__) == len(set(pathways.__all__))
    for item in pathways.__all__:
        assert getattr(pathways, item) is not None


def test_every_library_error_is_reexported_and_rooted() -> None:
    errors = {
        n
        for n, v in vars(directory.errors).items()
        if inspect.isclass(v) and issubclass(v, Exception) and v.__module__ == "directory.errors"
    }
    assert errors <= set(pathways.__all__)
    for n in errors:
        assert issubclass(getattr(pathways, n), pathways.PathwaysError)


def test_no_other_module_defines_exceptions_outside_the_hierarchy() -> None:
    for name in MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, Exception) and value.__module__ == name:
                assert issubclass(value, pathways.PathwaysError), f"{name}.{value.__name__}"
