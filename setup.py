"""Compile the matcher's hot modules with mypyc; everything else about the package is in pyproject.toml.

The modules stay plain, typed Python: mypyc turns them into C extensions that import under the same names and
match about 1.4 times faster (`python -m benchmarks.matching_speed` times both in one run). Without a C compiler
the install goes on with the Python sources (the warning shows under `pip install -v`); `CLAIMWATCH_COMPILE=0`
skips compiling. A type error in these modules fails the build: mypyc cannot compile code mypy rejects.
`matchers/compiled.py` picks the sources at import time when they changed after the build.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
# matchers/compiled.py by its path: importing the package would import the matcher and its dependencies.
_spec = importlib.util.spec_from_file_location("_claimwatch_compiled", ROOT / "matchers" / "compiled.py")
compiled = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compiled)


BUILDS = {"build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"}  # commands that compile


class OptionalBuildExt(build_ext):
    """Build the extensions if a C compiler works; otherwise warn and install the pure-Python modules."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # no compiler, no Python headers: setuptools raises several kinds
            self._skip(error)

    def build_extension(self, ext) -> None:  # noqa: ANN001 (setuptools' Extension)
        try:
            super().build_extension(ext)
        except Exception as error:
            self._skip(error)

    def _skip(self, error: Exception) -> None:
        # Without its stamp no build counts as compiled, even where some modules did compile (their shared library
        # may be the part that failed). build_py has already copied the stamp for a wheel: both copies go.
        for directory in (ROOT, Path(self.build_lib)):
            (directory / "matchers" / compiled.STAMP_FILE).unlink(missing_ok=True)
        print(f"WARNING: claimwatch's matcher is not compiled ({type(error).__name__}: {error}); "
              "it runs from its Python sources, about 1.4 times slower", file=sys.stderr)


def compiled_extensions() -> list:
    """mypyc's extensions for the modules `matchers.compiled` names; writes the stamp of the sources they come from."""
    if os.environ.get("CLAIMWATCH_COMPILE", "1") == "0" or not BUILDS.intersection(sys.argv):
        return []  # asked not to, or only reading the metadata (pip's first calls)
    from mypyc.build import mypycify

    paths = [f"matchers/{name}.py" for name in compiled.COMPILED_MODULES]
    # Type errors outside the compiled modules (sources/, seeds/) are not the build's business.
    extensions = mypycify(["--ignore-missing-imports", "--follow-imports=silent", *paths],
                          group_name="claimwatch_matchers")
    stamp = compiled.source_stamp(ROOT / "matchers")
    (ROOT / "matchers" / compiled.STAMP_FILE).write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n")
    return extensions


os.chdir(ROOT)  # mypycify takes paths relative to the project
setup(ext_modules=compiled_extensions(), cmdclass={"build_ext": OptionalBuildExt})
