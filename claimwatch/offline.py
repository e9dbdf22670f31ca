"""Offline matching and evaluation over files: `claimwatch match` and `claimwatch eval` call these."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from matchers.evaluation import EvalReport, Pair, evaluate
from matchers.evaluation import format_report as _format_table
from matchers.matcher import Matcher
from seeds.registry import load_claims
from sources.item import Item

LABELS = frozenset({"confirms", "contradicts", "mentions"})


class OfflineFileError(ValueError):
    """An items or labels file line that cannot be used, naming the file and line."""

    def __init__(self, path: str | Path, line: int, message: str):
        self.path, self.line = str(path), line
        super().__init__(f"{path}, line {line}: {message}")


def _json_lines(path: str | Path) -> Iterator[tuple[int, dict]]:
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise OfflineFileError(path, number, f"not valid JSON ({exc.msg})") from None
            if not isinstance(data, dict):
                raise OfflineFileError(path, number, "expected a JSON object")
            yield number, data


def _text(data: dict, key: str, path: str | Path, number: int, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise OfflineFileError(path, number, f"missing {key!r}")
        return ""
    if not isinstance(value, str):
        raise OfflineFileError(path, number, f"{key!r} must be a string")
    return value


def _published(value: str, path: str | Path, number: int) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise OfflineFileError(path, number, f"'published' is not an ISO 8601 date: {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def read_items(path: str | Path) -> list[Item]:
    """Items from a JSONL file (id, title, optional summary/url/published/source); a bad line raises OfflineFileError."""
    items: list[Item] = []
    for number, data in _json_lines(path):
        item_id = data.get("id")
        if isinstance(item_id, int):
            item_id = str(item_id)
        if not isinstance(item_id, str) or not item_id:
            raise OfflineFileError(path, number, "missing 'id'")
        items.append(Item(
            id=item_id,
            title=_text(data, "title", path, number, required=True),
            summary=_text(data, "summary", path, number),
            url=_text(data, "url", path, number),
            published=_published(_text(data, "published", path, number), path, number),
            source=_text(data, "source", path, number),
            publisher=_text(data, "publisher", path, number),
        ))
    return items


def read_labels(path: str | Path) -> dict[Pair, str]:
    """Labels from a JSONL file of {item_id, claim_id, label}; a bad line raises OfflineFileError."""
    labels: dict[Pair, str] = {}
    for number, data in _json_lines(path):
        item_id = data.get("item_id")
        item_id = str(item_id) if isinstance(item_id, int) else item_id
        claim_id, label = data.get("claim_id"), data.get("label")
        if not isinstance(item_id, str) or not isinstance(claim_id, str):
            raise OfflineFileError(path, number, "needs string 'item_id' and 'claim_id'")
        if label not in LABELS:
            raise OfflineFileError(path, number, f"label must be one of {sorted(LABELS)}, not {label!r}")
        labels[(item_id, claim_id)] = label
    return labels


def match_files(claims_file: str | Path, items_file: str | Path, *, threshold: float = 0.5) -> Iterator[dict]:
    """One `Verdict.as_json()` dict per related (item, claim) pair of the files."""
    matcher = Matcher(load_claims(claims_file), threshold=threshold)
    for verdict in matcher.match(read_items(items_file)):
        yield verdict.as_json()


def evaluate_files(claims_file: str | Path, items_file: str | Path, labels_file: str | Path,
                   *, threshold: float = 0.5) -> EvalReport:
    """Match the items and score the verdicts against the labels file."""
    labels = read_labels(labels_file)
    predictions = {(v["item_id"], v["claim_id"]): str(v["stance"])
                   for v in match_files(claims_file, items_file, threshold=threshold)}
    return evaluate(predictions, labels)


def format_report(report: EvalReport, *, as_json: bool = False) -> str:
    """The report as a terminal table, or as one JSON document."""
    if as_json:
        return json.dumps(report.as_json(), indent=2, sort_keys=True)
    return _format_table(report)
