"""The labelled development set is well formed and covers what matching quality is judged on."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from seeds.registry import load_claims

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
ITEMS_FILE = DATA / "devset_items.jsonl"
LABELS_FILE = DATA / "devset_labels.jsonl"

ALLOWED_LABELS = {"confirms", "contradicts", "mentions"}
ITEM_KEYS = {"id", "title", "summary", "url", "published", "source", "lang"}
REQUIRED_ITEM_KEYS = ITEM_KEYS - {"published"}
MAIN_FAMILIES = ("stargate", "h1b", "export-controls", "capex")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name} line {number} is not JSON: {exc}")
        assert isinstance(row, dict), f"{path.name} line {number} is not a JSON object"
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return _read_jsonl(ITEMS_FILE)


@pytest.fixture(scope="module")
def labels() -> list[dict]:
    return _read_jsonl(LABELS_FILE)


@pytest.fixture(scope="module")
def claims_by_id() -> dict:
    return {claim.id: claim for claim in load_claims()}


def test_every_item_has_the_documented_fields(items):
    for item in items:
        keys = set(item)
        assert REQUIRED_ITEM_KEYS <= keys, f"{item.get('id')} lacks {REQUIRED_ITEM_KEYS - keys}"
        assert keys <= ITEM_KEYS, f"{item['id']} has unknown fields {keys - ITEM_KEYS}"
        assert re.fullmatch(r"dev-\d{4}", item["id"]), item["id"]
        assert item["title"].strip() and item["summary"].strip(), f"{item['id']} has an empty title or summary"
        assert item["url"].startswith("https://"), f"{item['id']} url {item['url']!r}"
        assert re.fullmatch(r"[a-z0-9-]+", item["source"]), f"{item['id']} source {item['source']!r}"
        assert item["lang"] in {"en", "zh"}, f"{item['id']} lang {item['lang']!r}"


def test_published_dates_are_utc_iso_timestamps(items):
    for item in items:
        if "published" not in item:
            continue
        when = datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
        assert when.utcoffset() == timezone.utc.utcoffset(None), item["id"]


def test_item_ids_and_urls_are_unique(items):
    ids = Counter(item["id"] for item in items)
    assert not [i for i, n in ids.items() if n > 1], "duplicate item ids"
    urls = Counter(item["url"] for item in items)
    assert not [u for u, n in urls.items() if n > 1], "duplicate item urls"


def test_chinese_items_are_written_in_chinese(items):
    for item in items:
        has_cjk = bool(_CJK.search(item["title"]))
        assert has_cjk == (item["lang"] == "zh"), f"{item['id']} lang {item['lang']} does not match its title"


def test_labels_use_the_allowed_stances_only(labels):
    assert set(labels[0]) == {"item_id", "claim_id", "label"}
    for label in labels:
        assert set(label) == {"item_id", "claim_id", "label"}, label
        assert label["label"] in ALLOWED_LABELS, label


def test_every_label_points_at_an_existing_item(items, labels):
    item_ids = {item["id"] for item in items}
    missing = sorted({label["item_id"] for label in labels} - item_ids)
    assert not missing, f"labels reference unknown items: {missing}"


def test_every_label_points_at_a_claim_in_the_registry(labels, claims_by_id):
    unknown = sorted({label["claim_id"] for label in labels} - set(claims_by_id))
    assert not unknown, f"labels reference claim ids missing from seeds/claims.yaml: {unknown}"


def test_each_item_claim_pair_is_labelled_at_most_once(labels):
    pairs = Counter((label["item_id"], label["claim_id"]) for label in labels)
    assert not [pair for pair, n in pairs.items() if n > 1], "an (item, claim) pair is labelled twice"


def test_the_set_is_large_enough_and_bilingual(items):
    assert len(items) >= 200
    assert sum(item["lang"] == "zh" for item in items) >= 30


def test_every_stance_is_represented_and_unrelated_items_exist(items, labels):
    assert Counter(label["label"] for label in labels).keys() == ALLOWED_LABELS
    labelled_items = {label["item_id"] for label in labels}
    unrelated = [item for item in items if item["id"] not in labelled_items]
    assert len(unrelated) >= len(items) // 5, "too few unrelated items (hard negatives and off-topic news)"


@pytest.mark.parametrize("family", MAIN_FAMILIES)
def test_each_main_family_has_confirmations_and_contradictions(family, labels, claims_by_id):
    stances = Counter(
        label["label"] for label in labels if claims_by_id[label["claim_id"]].family == family
    )
    assert stances["contradicts"] >= 1, f"no contradiction labelled for the {family} family"
    assert stances["confirms"] >= 1, f"no confirmation labelled for the {family} family"
