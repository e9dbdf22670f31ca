"""The calibrator's training script measures what the run-time matcher does, on folds that keep stories whole."""

from __future__ import annotations

from collections import defaultdict

import pytest

pytest.importorskip("numpy")

import numpy as np  # noqa: E402

from benchmarks.train_matcher import (  # noqa: E402
    DATA,
    PairRows,
    describe_set,
    model_predictions,
    rank,
    read_labels,
    shortfall,
    story_folds,
)
from claimwatch.offline import read_items  # noqa: E402
from matchers.clustering import cluster_stories  # noqa: E402
from matchers.evaluation import evaluate  # noqa: E402
from matchers.matcher import Matcher  # noqa: E402
from seeds.registry import DEFAULT_CLAIMS_FILE, load_claims  # noqa: E402


def test_story_folds_split_the_training_items_and_keep_wire_copies_together():
    folds = story_folds()
    items = read_items(DATA / "train_items.jsonl")
    assert sum(map(len, folds)) == len(items) == len(set().union(*folds))
    fold_of = {item_id: index for index, fold in enumerate(folds) for item_id in fold}
    members = defaultdict(set)
    for item_id, story in cluster_stories(items).items():
        members[story].add(fold_of[item_id])
    copied = [folds_seen for story, folds_seen in members.items() if len(folds_seen) > 1]
    assert not copied
    assert min(map(len, folds)) > len(items) / 10  # five folds of comparable size


def test_the_shipped_model_predicts_in_training_what_the_matcher_does_at_run_time():
    claims = load_claims(DEFAULT_CLAIMS_FILE)
    matcher = Matcher(claims)
    dev = describe_set(Matcher(claims, model_path=None), "devset")
    trained = model_predictions(matcher.model, dev)
    actual = {(v.item_id, v.claim_id): v.stance for v in matcher.match(read_items(DATA / "devset_items.jsonl"))}
    assert trained == actual
    # ... and meets the constraint it was chosen under on dev: a matcher change that breaks it needs a retrain.
    report = evaluate(actual, read_labels(DATA / "devset_labels.jsonl"))
    assert shortfall(report) == ""  # precision, recall and no opposite alert


def test_settings_that_meet_the_whole_dev_target_outrank_better_cross_validated_ones_that_do_not():
    labels = {(f"i{n}", "claim"): "confirms" for n in range(20)}

    def report(right: int, wrong: int = 0):  # `right` of the 20 alerts found, `wrong` false ones added
        predicted = {(f"i{n}", "claim"): "confirms" for n in range(right)}
        predicted.update({(f"x{n}", "claim"): "confirms" for n in range(wrong)})
        return evaluate(predicted, labels)

    complete = rank(report(18), report(12), (0.001, 0.5))  # dev recall 0.90, out-of-fold F1 0.75
    precise = rank(report(17), report(15), (0.001, 0.5))  # dev recall 0.85, out-of-fold F1 0.86
    loose = rank(report(20, wrong=2), report(20), (0.001, 0.5))  # dev precision 0.91, out-of-fold F1 1.0
    assert complete > precise > loose
    assert shortfall(report(17)) == "alert recall 0.850 < 0.9"
    assert shortfall(report(20, wrong=2)) == "alert precision 0.909 < 0.95"
    # Within a tier, cross-validation decides.
    assert rank(report(19), report(13), (0.001, 0.5)) > complete
    assert rank(report(17), report(16), (0.001, 0.5)) > precise


def test_an_alert_reporting_the_agreement_carries_to_its_linked_claim_unless_that_claim_alerts_itself():
    pairs = [("a", "build"), ("b", "build"), ("b", "stake")]
    links = [{"contradicts": ("stake",)}, {"confirms": ("stake",)}, {}]
    rows = PairRows(pairs, ["contradicts", "confirms", "contradicts"], np.zeros((3, 1)), [frozenset()] * 3,
                    np.zeros(3), {}, links=links)
    predicted = {("a", "build"): "contradicts", ("b", "build"): "confirms", ("b", "stake"): "contradicts"}
    assert rows.with_links(predicted) == {**predicted, ("a", "stake"): "contradicts"}
    assert rows.with_links({("a", "build"): "mentions"}) == {("a", "build"): "mentions"}  # only alerts carry
