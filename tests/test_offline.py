"""Offline match/eval over claims YAML, items JSONL and labels JSONL files."""

import json

import pytest

from claimwatch.offline import OfflineFileError, evaluate_files, format_report, match_files

CLAIMS_YAML = """
claims:
  - id: h1b-fee-100k
    statement: The United States charges a $100,000 fee on new H-1B visa petitions.
    keywords: [H-1B, visa, fee, "$100,000"]
    quantity: {value: 100000, unit: USD}
  - id: nvidia-openai-investment-100b
    statement: NVIDIA will invest up to $100 billion in OpenAI.
    keywords: [NVIDIA, OpenAI, investment, "$100 billion"]
    entities: [NVIDIA, OpenAI]
    quantity: {value: 100000000000, unit: USD, approx: true}
"""
ITEMS = [
    {"id": "a", "title": "US imposes $100,000 fee on new H-1B visa petitions", "published": "2025-09-20T10:00:00Z",
     "source": "reuters", "unknown_field": 1},
    {"id": "b", "title": "Nvidia's $100 billion OpenAI investment is on ice", "summary": "Talks stalled."},
    {"id": "c", "title": "Stock markets close higher on Friday"},
]


@pytest.fixture
def files(tmp_path):
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS_YAML, encoding="utf-8")
    items = tmp_path / "items.jsonl"
    items.write_text("\n".join(json.dumps(item) for item in ITEMS) + "\n", encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text(
        json.dumps({"item_id": "a", "claim_id": "h1b-fee-100k", "label": "confirms"}) + "\n"
        + json.dumps({"item_id": "b", "claim_id": "nvidia-openai-investment-100b", "label": "contradicts"}) + "\n",
        encoding="utf-8")
    return claims, items, labels


def test_match_files_yields_one_verdict_line_per_related_pair(files):
    claims, items, _ = files
    lines = list(match_files(claims, items))
    assert [(line["item_id"], line["claim_id"], line["stance"]) for line in lines] == [
        ("a", "h1b-fee-100k", "confirms"),
        ("b", "nvidia-openai-investment-100b", "contradicts"),
    ]
    assert set(lines[0]) == {"item_id", "claim_id", "stance", "score", "why"}
    assert 0.5 <= lines[0]["score"] <= 1


def test_bad_items_line_is_an_error_naming_the_line(files, tmp_path):
    claims, items, _ = files
    items.write_text(items.read_text() + "{not json\n", encoding="utf-8")
    with pytest.raises(OfflineFileError, match=r"line 4: not valid JSON"):
        list(match_files(claims, items))


def test_item_without_title_is_an_error(files):
    claims, items, _ = files
    items.write_text(json.dumps({"id": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(OfflineFileError, match=r"line 1: missing 'title'"):
        list(match_files(claims, items))


def test_unknown_label_is_an_error(files):
    claims, items, labels = files
    labels.write_text(json.dumps({"item_id": "a", "claim_id": "h1b-fee-100k", "label": "agree"}) + "\n")
    with pytest.raises(OfflineFileError, match="label must be one of"):
        evaluate_files(claims, items, labels)


def test_evaluate_files_scores_the_verdicts_against_labels(files):
    report = evaluate_files(*files)
    assert report.alerts.precision == 1.0 and report.alerts.recall == 1.0
    assert report.opposite_stance_alerts == 0
    as_json = json.loads(format_report(report, as_json=True))
    assert as_json["alerts"]["f1"] == 1.0
    assert as_json["confusion"]["contradicts"]["contradicts"] == 1
