"""The held-out check set is well formed, labelled against the registry, and independent of the dev set."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from seeds.registry import load_claims

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
ITEMS_FILE = DATA / "holdout_items.jsonl"
LABELS_FILE = DATA / "holdout_labels.jsonl"
DEV_ITEMS_FILE = DATA / "devset_items.jsonl"

ALLOWED_LABELS = {"confirms", "contradicts", "mentions"}
ITEM_KEYS = {"id", "title", "summary", "url", "published", "source", "lang"}
REQUIRED_ITEM_KEYS = ITEM_KEYS - {"published"}
MAIN_FAMILIES = ("stargate", "h1b", "export-controls", "capex")
NEAR_COPY = 90  # rapidfuzz ratio at which a held-out text counts as a copy of a dev-set text
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
def dev_items() -> list[dict]:
    return _read_jsonl(DEV_ITEMS_FILE)


@pytest.fixture(scope="module")
def claims_by_id() -> dict:
    return {claim.id: claim for claim in load_claims()}


def test_every_item_has_the_dev_set_fields(items):
    for item in items:
        keys = set(item)
        assert REQUIRED_ITEM_KEYS <= keys, f"{item.get('id')} lacks {REQUIRED_ITEM_KEYS - keys}"
        assert keys <= ITEM_KEYS, f"{item['id']} has unknown fields {keys - ITEM_KEYS}"
        assert re.fullmatch(r"hold-\d{4}", item["id"]), item["id"]
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


def test_ids_are_numbered_from_one_without_gaps(items):
    assert [item["id"] for item in items] == [f"hold-{n:04d}" for n in range(1, len(items) + 1)]


def test_chinese_items_are_written_in_chinese(items):
    for item in items:
        has_cjk = bool(_CJK.search(item["title"]))
        assert has_cjk == (item["lang"] == "zh"), f"{item['id']} lang {item['lang']} does not match its title"


def test_the_set_has_at_least_100_items_and_25_chinese_ones(items):
    assert len(items) >= 100
    assert sum(item["lang"] == "zh" for item in items) >= 25


def test_labels_use_the_allowed_stances_only(labels):
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


def test_google_news_copies_carry_the_labels_of_their_original(items, labels):
    by_item: dict[str, set[tuple[str, str]]] = {}
    for label in labels:
        by_item.setdefault(label["item_id"], set()).add((label["claim_id"], label["label"]))
    by_title = {item["title"]: item["id"] for item in items if item["source"] != "google-news"}
    copies = [item for item in items if item["source"] == "google-news"]
    assert copies, "the set should hold syndicated Google News copies"
    for copy in copies:
        original_title = copy["title"].rsplit(" - ", 1)[0]
        original = by_title.get(original_title)
        assert original, f"{copy['id']} copies no item in the set"
        assert by_item.get(copy["id"], set()) == by_item.get(original, set()), copy["id"]


def test_held_out_items_share_no_id_url_or_near_copied_text_with_the_dev_set(items, dev_items):
    assert not {i["id"] for i in items} & {d["id"] for d in dev_items}
    assert not {i["url"] for i in items} & {d["url"] for d in dev_items}
    dev_titles = [d["title"] for d in dev_items]
    dev_summaries = [d["summary"] for d in dev_items]
    for item in items:
        title_match = process.extractOne(item["title"], dev_titles, scorer=fuzz.ratio)
        assert title_match[1] < NEAR_COPY, f"{item['id']} title copies dev item {title_match[0]!r}"
        summary_match = process.extractOne(item["summary"], dev_summaries, scorer=fuzz.ratio)
        assert summary_match[1] < NEAR_COPY, f"{item['id']} summary copies dev item {summary_match[0]!r}"
