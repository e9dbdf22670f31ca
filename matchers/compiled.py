"""Which build of the matcher runs: the modules mypyc compiled at install time, or their Python sources.

`pip install` compiles COMPILED_MODULES (setup.py) and writes the hashes of the sources it compiled to STAMP_FILE.
The compiled modules are used only while every one of those sources still has its stamped hash: after an edit in a
checkout installed with `pip install -e`, the package imports the sources, so what runs is always what the files
say (reinstall to compile again). `CLAIMWATCH_PURE_PYTHON=1` asks for the sources whatever the build.

This module imports nothing from the rest of the package: setup.py reads it before the package can be imported.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.abc
import importlib.util
import json
import os
import sys
from collections.abc import Mapping, Sequence
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

# The modules matching spends its time in. calibrator.py (its error class derives from RuntimeError, which mypyc
# cannot compile) and verdict.py (a value other layers build and compare) stay Python.
COMPILED_MODULES = ("text", "quantities", "cues", "entities", "lexical", "clustering", "matcher")
STAMP_FILE = "compiled.json"
PACKAGE_DIRECTORY = Path(__file__).resolve().parent
PURE_PYTHON_VARIABLE = "CLAIMWATCH_PURE_PYTHON"


def source_stamp(directory: Path = PACKAGE_DIRECTORY) -> dict[str, str]:
    """Module name -> SHA-256 of its source, for each of COMPILED_MODULES."""
    return {name: hashlib.sha256((directory / f"{name}.py").read_bytes()).hexdigest() for name in COMPILED_MODULES}


def build_state(directory: Path = PACKAGE_DIRECTORY, environ: Mapping[str, str] = os.environ) -> str:
    """The build to run: "compiled" when the compiled modules may run, else "sources: " and why not."""
    if environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0"):
        return f"sources: {PURE_PYTHON_VARIABLE} is set"
    missing = [name for name in COMPILED_MODULES
               if not any((directory / f"{name}{suffix}").exists() for suffix in EXTENSION_SUFFIXES)]
    if missing:
        return "sources: not compiled" if len(missing) == len(COMPILED_MODULES) else \
            f"sources: the compiled build lacks {', '.join(missing)}"
    try:
        stamped = _read_stamp(directory / STAMP_FILE)
    except (OSError, ValueError):
        return f"sources: the compiled build has no readable {STAMP_FILE}"
    changed = [name for name, digest in source_stamp(directory).items() if stamped.get(name) != digest]
    if changed:
        return f"sources: {', '.join(f'{name}.py' for name in changed)} changed since the build"
    return "compiled"


def _read_stamp(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} holds no object")
    return {str(name): str(digest) for name, digest in data.items()}


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds COMPILED_MODULES of the package as their .py files, ahead of the compiled extensions beside them."""

    def __init__(self, package: str, directory: Path):
        self.package, self.directory = package, directory

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        """The source file's spec for one of COMPILED_MODULES; None (ask the next finder) for anything else."""
        package, _, name = fullname.rpartition(".")
        if package != self.package or name not in COMPILED_MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, self.directory / f"{name}.py")


STATE = "not chosen yet"


def choose_build(package: str) -> str:
    """Run the compiled modules if `build_state` allows, else make the package import their sources; say which."""
    global STATE
    STATE = build_state()
    # By name: a copy of this module (`import_sources`) has a _SourceFinder class of its own.
    if STATE != "compiled" and not any(type(finder).__name__ == "_SourceFinder" for finder in sys.meta_path):
        sys.meta_path.insert(0, _SourceFinder(package, PACKAGE_DIRECTORY))
    return STATE


def import_sources(package: str, module: str) -> ModuleType:
    """A second copy of `package.module` run from the Python sources, beside whatever build is imported now.

    For comparing the two builds in one process (benchmarks.matching_speed, the tests): the package's modules
    already imported are set aside while the copy is imported, then put back.
    """
    def ours(name: str) -> bool:
        return name == package or name.startswith(package + ".")

    saved = {name: loaded for name, loaded in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    finder = _SourceFinder(package, PACKAGE_DIRECTORY)
    sys.meta_path.insert(0, finder)
    try:
        return importlib.import_module(f"{package}.{module}")
    finally:
        sys.meta_path.remove(finder)
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)
