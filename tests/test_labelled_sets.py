"""The three labelled sets (dev, held-out, training) are well formed, labelled against the registry,
and independent of each other. Matching quality is only as trustworthy as these files.

The held-out set is opened here for format and independence checks only; nothing tunes on it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from itertools import combinations
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from seeds.registry import load_claims

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
ALLOWED_LABELS = {"confirms", "contradicts", "mentions"}
ITEM_KEYS = {"id", "title", "summary", "url", "published", "source", "lang"}
REQUIRED_ITEM_KEYS = ITEM_KEYS - {"published"}
MAIN_FAMILIES = ("stargate", "h1b", "export-controls", "capex")
NEAR_COPY = 90  # rapidfuzz ratio at or above which a text counts as copied from another set
STRONGEST = ("contradicts", "confirms", "mentions")  # an item's class is its strongest label
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class LabelledSet:
    name: str  # file stem: <name>_items.jsonl, <name>_labels.jsonl
    prefix: str  # item ids are <prefix>-0001 …
    min_items: int
    min_chinese: int
    exact_copies: bool  # Google News copies repeat an original's headline verbatim


SETS = (
    LabelledSet("devset", "dev", 200, 30, exact_copies=False),
    LabelledSet("holdout", "hold", 100, 25, exact_copies=True),
    LabelledSet("train", "train", 2300, 800, exact_copies=True),
)


@cache
def read_jsonl(path: Path) -> tuple[dict, ...]:
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
    return tuple(rows)


def items_of(labelled: LabelledSet) -> tuple[dict, ...]:
    return read_jsonl(DATA / f"{labelled.name}_items.jsonl")


def labels_of(labelled: LabelledSet) -> tuple[dict, ...]:
    return read_jsonl(DATA / f"{labelled.name}_labels.jsonl")


@pytest.fixture(scope="module")
def claims_by_id() -> dict:
    return {claim.id: claim for claim in load_claims()}


each_set = pytest.mark.parametrize("labelled", SETS, ids=[s.name for s in SETS])


# -- every set ------------------------------------------------------------------------------------


@each_set
def test_every_item_has_the_documented_fields(labelled: LabelledSet) -> None:
    for item in items_of(labelled):
        keys = set(item)
        assert REQUIRED_ITEM_KEYS <= keys, f"{item.get('id')} lacks {REQUIRED_ITEM_KEYS - keys}"
        assert keys <= ITEM_KEYS, f"{item['id']} has unknown fields {keys - ITEM_KEYS}"
        assert re.fullmatch(rf"{labelled.prefix}-\d{{4}}", item["id"]), item["id"]
        assert item["title"].strip() and item["summary"].strip(), f"{item['id']} has an empty title or summary"
        assert item["url"].startswith("https://"), f"{item['id']} url {item['url']!r}"
        assert re.fullmatch(r"[a-z0-9-]+", item["source"]), f"{item['id']} source {item['source']!r}"
        assert item["lang"] in {"en", "zh"}, f"{item['id']} lang {item['lang']!r}"


@each_set
def test_published_dates_are_utc_iso_timestamps(labelled: LabelledSet) -> None:
    for item in items_of(labelled):
        if "published" in item:
            when = datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
            assert when.utcoffset() == timezone.utc.utcoffset(None), item["id"]


@each_set
def test_ids_are_numbered_from_one_without_gaps_and_urls_are_unique(labelled: LabelledSet) -> None:
    items = items_of(labelled)
    assert [item["id"] for item in items] == [f"{labelled.prefix}-{n:04d}" for n in range(1, len(items) + 1)]
    urls = Counter(item["url"] for item in items)
    assert not [url for url, n in urls.items() if n > 1], "duplicate item urls"


@each_set
def test_lang_matches_the_script_of_the_title(labelled: LabelledSet) -> None:
    for item in items_of(labelled):
        has_cjk = bool(_CJK.search(item["title"]))
        assert has_cjk == (item["lang"] == "zh"), f"{item['id']} lang {item['lang']} does not match its title"


@each_set
def test_the_set_is_large_enough_and_bilingual(labelled: LabelledSet) -> None:
    items = items_of(labelled)
    assert len(items) >= labelled.min_items, f"only {len(items)} items"
    chinese = sum(item["lang"] == "zh" for item in items)
    assert chinese >= labelled.min_chinese, f"only {chinese} Chinese items"


@each_set
def test_labels_use_the_allowed_stances_only(labelled: LabelledSet) -> None:
    for label in labels_of(labelled):
        assert set(label) == {"item_id", "claim_id", "label"}, label
        assert label["label"] in ALLOWED_LABELS, label


@each_set
def test_every_label_points_at_an_existing_item_and_a_registry_claim(labelled: LabelledSet, claims_by_id) -> None:
    labels = labels_of(labelled)
    missing = sorted({label["item_id"] for label in labels} - {item["id"] for item in items_of(labelled)})
    assert not missing, f"labels reference unknown items: {missing}"
    unknown = sorted({label["claim_id"] for label in labels} - set(claims_by_id))
    assert not unknown, f"labels reference claim ids missing from seeds/claims.yaml: {unknown}"


@each_set
def test_each_item_claim_pair_is_labelled_at_most_once(labelled: LabelledSet) -> None:
    pairs = Counter((label["item_id"], label["claim_id"]) for label in labels_of(labelled))
    assert not [pair for pair, n in pairs.items() if n > 1], "an (item, claim) pair is labelled twice"


@each_set
def test_every_stance_is_represented_and_unrelated_items_exist(labelled: LabelledSet) -> None:
    items, labels = items_of(labelled), labels_of(labelled)
    assert Counter(label["label"] for label in labels).keys() == ALLOWED_LABELS
    labelled_items = {label["item_id"] for label in labels}
    unrelated = [item for item in items if item["id"] not in labelled_items]
    assert len(unrelated) >= len(items) // 5, "too few unrelated items (hard negatives and off-topic news)"


@each_set
@pytest.mark.parametrize("family", MAIN_FAMILIES)
def test_each_main_family_has_confirmations_and_contradictions(labelled: LabelledSet, family: str, claims_by_id) -> None:
    stances = Counter(label["label"] for label in labels_of(labelled) if claims_by_id[label["claim_id"]].family == family)
    assert stances["contradicts"] >= 1, f"no contradiction labelled for the {family} family"
    assert stances["confirms"] >= 1, f"no confirmation labelled for the {family} family"


@pytest.mark.parametrize("labelled", [s for s in SETS if s.exact_copies], ids=lambda s: s.name)
def test_google_news_copies_carry_the_labels_of_their_original(labelled: LabelledSet) -> None:
    items = items_of(labelled)
    by_item: dict[str, set[tuple[str, str]]] = {}
    for label in labels_of(labelled):
        by_item.setdefault(label["item_id"], set()).add((label["claim_id"], label["label"]))
    by_title = {item["title"]: item["id"] for item in items if item["source"] != "google-news"}
    copies = [item for item in items if item["source"] == "google-news"]
    assert copies, "the set should hold syndicated Google News copies"
    for copy in copies:
        original_title, _, publisher = copy["title"].rpartition(" - ")
        assert publisher and original_title in by_title, f"{copy['id']} copies no item in the set"
        assert by_item.get(copy["id"], set()) == by_item.get(by_title[original_title], set()), copy["id"]


# -- the sets against each other -------------------------------------------------------------------


@pytest.mark.parametrize("first,second", list(combinations(SETS, 2)), ids=lambda s: s.name)
def test_sets_share_no_id_url_or_near_copied_title(first: LabelledSet, second: LabelledSet) -> None:
    ours, theirs = items_of(first), items_of(second)
    assert not {i["id"] for i in ours} & {t["id"] for t in theirs}
    assert not {i["url"] for i in ours} & {t["url"] for t in theirs}
    their_titles = [t["title"] for t in theirs]
    for item in ours:
        match = process.extractOne(item["title"], their_titles, scorer=fuzz.ratio)
        assert match[1] < NEAR_COPY, f"{item['id']} title is a near copy ({match[1]:.0f}) of a {second.name} title"


def test_held_out_summaries_do_not_copy_dev_summaries() -> None:
    dev_summaries = [d["summary"] for d in items_of(SETS[0])]
    for item in items_of(SETS[1]):
        match = process.extractOne(item["summary"], dev_summaries, scorer=fuzz.ratio)
        assert match[1] < NEAR_COPY, f"{item['id']} summary copies dev item {match[0]!r}"


# -- the training set covers the whole registry ----------------------------------------------------

TRAIN = SETS[2]


def test_every_claim_in_the_registry_has_at_least_three_training_items(claims_by_id) -> None:
    per_claim = Counter(label["claim_id"] for label in labels_of(TRAIN))
    thin = {claim_id: per_claim[claim_id] for claim_id in claims_by_id if per_claim[claim_id] < 3}
    assert not thin, f"claims with fewer than 3 labelled training items: {thin}"


@pytest.mark.parametrize("family", MAIN_FAMILIES)
def test_each_main_family_has_every_stance_three_times_in_training(family: str, claims_by_id) -> None:
    stances = Counter(label["label"] for label in labels_of(TRAIN) if claims_by_id[label["claim_id"]].family == family)
    for stance in ALLOWED_LABELS:
        assert stances[stance] >= 3, f"the {family} family has only {stances[stance]} {stance} labels"


def test_training_item_classes_keep_the_dev_set_mix() -> None:
    """Roughly 30% confirms, 20% contradicts, 20% mentions, 30% unrelated, give or take ten points."""
    items = items_of(TRAIN)
    stances_by_item: dict[str, set[str]] = {}
    for label in labels_of(TRAIN):
        stances_by_item.setdefault(label["item_id"], set()).add(label["label"])
    classes = Counter(
        next((s for s in STRONGEST if s in stances_by_item.get(item["id"], set())), "unrelated") for item in items
    )
    expected = {"confirms": 0.30, "contradicts": 0.20, "mentions": 0.20, "unrelated": 0.30}
    for name, share in expected.items():
        actual = classes[name] / len(items)
        assert abs(actual - share) <= 0.10, f"{name} items are {actual:.0%} of the set, expected about {share:.0%}"


def test_training_google_news_copies_repeat_the_headline_in_their_summary() -> None:
    for copy in (item for item in items_of(TRAIN) if item["source"] == "google-news"):
        original_title = copy["title"].rpartition(" - ")[0]
        assert copy["summary"].startswith(original_title), f"{copy['id']} summary does not repeat the headline"


def test_the_second_readers_dev_labels_are_well_formed(claims_by_id) -> None:
    rows = read_jsonl(DATA / "devset_labels_second_reader.jsonl")
    dev_items = {item["id"] for item in items_of(SETS[0])}
    assert rows and all({"item_id", "claim_id", "label"} <= set(row) <= {"item_id", "claim_id", "label", "note"}
                        for row in rows)
    assert {row["item_id"] for row in rows} <= dev_items
    assert {row["claim_id"] for row in rows} <= set(claims_by_id)
    assert {row["label"] for row in rows} == ALLOWED_LABELS
    assert len({(row["item_id"], row["claim_id"]) for row in rows}) == len(rows)


def test_agreement_reads_one_labelling_as_predictions_against_another(tmp_path: Path, capsys) -> None:
    from benchmarks.agreement import main

    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text('{"item_id": "i", "claim_id": "c", "label": "confirms"}\n'
                     '{"item_id": "j", "claim_id": "c", "label": "contradicts"}\n', encoding="utf-8")
    second.write_text('{"item_id": "i", "claim_id": "c", "label": "confirms", "note": "clear"}\n'
                      '{"item_id": "j", "claim_id": "c", "label": "confirms"}\n', encoding="utf-8")
    main(["--reference", str(first), "--other", str(second), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["alerts"]["tp"] == 1 and report["opposite_stance_alerts"] == 1
