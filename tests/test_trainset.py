"""The labelled training set is well formed and independent of the dev and held-out sets.

The held-out files are opened here only to prove that no training title copies one of
theirs; nothing in this module looks at their labels.
"""

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
ITEMS_FILE = DATA / "train_items.jsonl"
LABELS_FILE = DATA / "train_labels.jsonl"
OTHER_ITEM_FILES = (DATA / "devset_items.jsonl", DATA / "holdout_items.jsonl")

ALLOWED_LABELS = {"confirms", "contradicts", "mentions"}
ITEM_KEYS = {"id", "title", "summary", "url", "published", "source", "lang"}
REQUIRED_ITEM_KEYS = ITEM_KEYS - {"published"}
NEAR_COPY = 90  # rapidfuzz ratio at or above which a title counts as copied
MIN_ITEMS = 380
MIN_CHINESE = 80
MIN_LABELLED_PER_CLAIM = 3
MAIN_FAMILIES = ("stargate", "h1b", "export-controls", "capex")
STRONGEST = ("contradicts", "confirms", "mentions")  # an item's class is its strongest label
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


def test_ids_are_numbered_from_one_without_gaps(items):
    assert [item["id"] for item in items] == [f"train-{n:04d}" for n in range(1, len(items) + 1)]


def test_item_ids_and_urls_are_unique(items):
    ids = Counter(item["id"] for item in items)
    assert not [i for i, n in ids.items() if n > 1], "duplicate item ids"
    urls = Counter(item["url"] for item in items)
    assert not [u for u, n in urls.items() if n > 1], "duplicate item urls"


def test_lang_matches_the_script_of_the_title(items):
    for item in items:
        has_cjk = bool(_CJK.search(item["title"]))
        assert has_cjk == (item["lang"] == "zh"), f"{item['id']} is marked {item['lang']} but its title says otherwise"


def test_labels_use_the_allowed_stances_only(labels):
    for label in labels:
        assert set(label) == {"item_id", "claim_id", "label"}, label
        assert label["label"] in ALLOWED_LABELS, label


def test_every_label_points_at_an_existing_item(items, labels):
    ids = {item["id"] for item in items}
    orphans = [label["item_id"] for label in labels if label["item_id"] not in ids]
    assert not orphans, f"labels for unknown items: {orphans[:5]}"


def test_every_label_points_at_a_claim_in_the_registry(labels, claims_by_id):
    unknown = {label["claim_id"] for label in labels} - set(claims_by_id)
    assert not unknown, f"labels for claims missing from seeds/claims.yaml: {sorted(unknown)}"


def test_each_item_claim_pair_is_labelled_at_most_once(labels):
    pairs = Counter((label["item_id"], label["claim_id"]) for label in labels)
    assert not [p for p, n in pairs.items() if n > 1], "an (item, claim) pair is labelled twice"


def test_the_set_has_enough_items_and_chinese_items(items):
    assert len(items) >= MIN_ITEMS, f"only {len(items)} items"
    chinese = sum(1 for item in items if item["lang"] == "zh")
    assert chinese >= MIN_CHINESE, f"only {chinese} Chinese items"


def test_every_claim_in_the_registry_has_at_least_three_labelled_items(labels, claims_by_id):
    per_claim = Counter(label["claim_id"] for label in labels)
    thin = {claim_id: per_claim[claim_id] for claim_id in claims_by_id if per_claim[claim_id] < MIN_LABELLED_PER_CLAIM}
    assert not thin, f"claims with fewer than {MIN_LABELLED_PER_CLAIM} labelled items: {thin}"


@pytest.mark.parametrize("family", MAIN_FAMILIES)
def test_each_main_family_has_every_stance(family, labels, claims_by_id):
    stances = Counter(label["label"] for label in labels if claims_by_id[label["claim_id"]].family == family)
    for stance in ALLOWED_LABELS:
        assert stances[stance] >= 3, f"the {family} family has only {stances[stance]} {stance} labels"


def test_item_classes_keep_the_dev_set_mix(items, labels):
    """Roughly 30% confirms, 20% contradicts, 20% mentions, 30% unrelated, give or take ten points."""
    stances_by_item: dict[str, set[str]] = {}
    for label in labels:
        stances_by_item.setdefault(label["item_id"], set()).add(label["label"])
    classes = Counter(
        next((s for s in STRONGEST if s in stances_by_item.get(item["id"], set())), "unrelated") for item in items
    )
    expected = {"confirms": 0.30, "contradicts": 0.20, "mentions": 0.20, "unrelated": 0.30}
    for name, share in expected.items():
        actual = classes[name] / len(items)
        assert abs(actual - share) <= 0.10, f"{name} items are {actual:.0%} of the set, expected about {share:.0%}"


def test_google_news_copies_carry_the_labels_of_their_original(items, labels):
    by_item: dict[str, set[tuple[str, str]]] = {}
    for label in labels:
        by_item.setdefault(label["item_id"], set()).add((label["claim_id"], label["label"]))
    by_title = {item["title"]: item["id"] for item in items if item["source"] != "google-news"}
    copies = [item for item in items if item["source"] == "google-news"]
    assert copies, "the set should hold syndicated Google News copies"
    for copy in copies:
        original_title, _, publisher = copy["title"].rpartition(" - ")
        assert publisher and original_title in by_title, f"{copy['id']} copies no item in the set"
        assert copy["summary"].startswith(original_title), f"{copy['id']} summary does not repeat the headline"
        assert by_item.get(copy["id"], set()) == by_item.get(by_title[original_title], set()), copy["id"]


def test_no_title_copies_a_dev_or_held_out_title(items):
    others = [row["title"] for path in OTHER_ITEM_FILES for row in _read_jsonl(path)]
    for item in items:
        match = process.extractOne(item["title"], others, scorer=fuzz.ratio)
        assert match[1] < NEAR_COPY, f"{item['id']} title is a near copy ({match[1]:.0f}) of another set's title"


def test_no_id_or_url_is_shared_with_the_dev_or_held_out_set(items):
    others = [row for path in OTHER_ITEM_FILES for row in _read_jsonl(path)]
    assert not {i["id"] for i in items} & {o["id"] for o in others}
    assert not {i["url"] for i in items} & {o["url"] for o in others}
