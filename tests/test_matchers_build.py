"""The compiled matcher (setup.py, mypyc) runs only while it matches its sources, and says the same as they do."""

from __future__ import annotations

import importlib.machinery
import json
from dataclasses import astuple
from pathlib import Path

import pytest

from claimwatch.offline import read_items
from matchers import compiled as build
from matchers.compiled import COMPILED_MODULES, STAMP_FILE, build_state, import_sources, source_stamp
from matchers.matcher import Matcher
from seeds.registry import DEFAULT_CLAIMS_FILE, load_claims

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"


def _package(directory: Path, *, extensions: tuple[str, ...] = COMPILED_MODULES, stamped: bool = True) -> Path:
    """A package directory as an install leaves it: sources, compiled modules and the stamp of their sources."""
    for name in COMPILED_MODULES:
        (directory / f"{name}.py").write_text(f"NAME = {name!r}\n")
    for name in extensions:
        (directory / f"{name}{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"\x7fELF")
    if stamped:
        (directory / STAMP_FILE).write_text(json.dumps(source_stamp(directory)))
    return directory


def test_compiled_modules_run_while_every_source_is_the_one_compiled(tmp_path):
    assert build_state(_package(tmp_path), environ={}) == "compiled"


def test_an_edited_source_makes_the_package_run_its_sources(tmp_path):
    directory = _package(tmp_path)
    (directory / "quantities.py").write_text("NAME = 'edited'\n")
    assert build_state(directory, environ={}) == "sources: quantities.py changed since the build"


def test_sources_run_when_asked_for(tmp_path):
    directory = _package(tmp_path)
    assert build_state(directory, environ={"CLAIMWATCH_PURE_PYTHON": "1"}) == "sources: CLAIMWATCH_PURE_PYTHON is set"
    assert build_state(directory, environ={"CLAIMWATCH_PURE_PYTHON": "0"}) == "compiled"


@pytest.mark.parametrize(("extensions", "stamped", "state"), [
    ((), True, "sources: not compiled"),
    (("text", "matcher"), True, "sources: the compiled build lacks quantities, cues, entities, lexical, clustering"),
    (COMPILED_MODULES, False, f"sources: the compiled build has no readable {STAMP_FILE}"),
])
def test_sources_run_when_the_build_is_missing_partial_or_unstamped(tmp_path, extensions, stamped, state):
    assert build_state(_package(tmp_path, extensions=extensions, stamped=stamped), environ={}) == state


def test_a_second_copy_from_the_sources_leaves_the_imported_build_in_place():
    import matchers.matcher as imported

    copy = import_sources("matchers", "matcher")
    assert Path(copy.__file__).suffix == ".py" and copy is not imported
    import matchers.matcher as again

    assert again is imported


@pytest.mark.skipif(build.STATE != "compiled", reason=f"the matcher runs from its sources here ({build.STATE})")
def test_compiled_matcher_says_what_its_sources_say_on_every_labelled_item():
    claims = load_claims(DEFAULT_CLAIMS_FILE)
    compiled, sources = Matcher(claims), import_sources("matchers", "matcher").Matcher(claims)
    for name in ("devset", "train", "holdout"):
        items = read_items(DATA / f"{name}_items.jsonl")
        assert [astuple(verdict) for verdict in compiled.match(items)] == \
               [astuple(verdict) for verdict in sources.match(items)], name
        for item in items:
            # Feature rows as floats: an int 0 in the sources is 0.0 in compiled code, the same to the model.
            assert [(claim, stance, [float(value) for value in row], terms, links)
                    for claim, stance, row, terms, links in compiled.describe_pairs(item)] == \
                   [(claim, stance, [float(value) for value in row], terms, links)
                    for claim, stance, row, terms, links in sources.describe_pairs(item)], item.id
