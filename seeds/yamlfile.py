"""Read a YAML configuration file, turning every failure into the caller's named error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


def read_yaml_file(path: Path, error: Callable[[str, str], Exception]) -> Any:
    """Parse `path` as YAML; on an unreadable file or bad YAML raise `error(path, message)`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(str(path), f"cannot read: {exc.strerror or exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(str(path), f"not valid YAML{at}") from None
