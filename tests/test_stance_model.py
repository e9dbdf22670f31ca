"""The shipped stance model: its public API on hand-written claim/item pairs, its file format and its trainer."""

import json
import math
from dataclasses import astuple

import pytest

from matchers.stance_model import (
    MODEL_PATH,
    RELATEDNESS_FEATURES,
    STANCE_FEATURES,
    StanceModel,
    StanceModelError,
    TextIndex,
    classify_stance,
    load_model,
    stance_scores,
)

FEE = "The US imposes a $100,000 fee on new H-1B visa petitions"
INVESTMENT = "NVIDIA will invest up to $100 billion in OpenAI"


def test_a_clear_refutation_contradicts_the_claim():
    assert classify_stance(
        INVESTMENT, "NVIDIA denies report it will invest $100 billion in OpenAI",
        "NVIDIA on Tuesday denied reports that it plans to invest $100 billion in OpenAI, calling the story false. "
        "A spokesperson said no such investment agreement exists and that the report was not true.") == "contradicts"


def test_an_announced_and_confirmed_deal_confirms_the_claim():
    assert classify_stance(
        INVESTMENT, "NVIDIA and OpenAI sign deal: NVIDIA to invest up to $100 billion in OpenAI",
        "NVIDIA and OpenAI announced on Monday that they have signed a letter of intent under which NVIDIA will "
        "invest up to $100 billion in OpenAI. The companies confirmed the investment in a joint statement. "
        "NVIDIA's chief executive told reporters the deal has been finalised.") == "confirms"


def test_hedged_reporting_only_mentions_the_claim():
    assert classify_stance(
        INVESTMENT, "Could NVIDIA invest $100 billion in OpenAI?",
        "NVIDIA may invest as much as $100 billion in OpenAI, according to people familiar with the matter, reports "
        "said. The talks could still fall apart, and it is unclear whether a deal would be reached. Neither company "
        "commented on the rumours.") == "mentions"


def test_an_item_about_something_else_is_not_related():
    scores = stance_scores(INVESTMENT, "Local bakery wins award for sourdough",
                           "A family bakery in Vermont won first prize at the state fair for its sourdough loaf.")
    assert scores.stance is None
    assert scores.related < scores.threshold


def test_a_debunking_item_agrees_with_a_claim_that_itself_calls_the_story_a_hoax():
    debunking = ("The viral claim that the US will charge a $100,000 fee for H-1B visas is a hoax, officials said. "
                 "The White House denied the report and said no such fee exists.")
    assert classify_stance(FEE, "White House: the H-1B fee story is fake", debunking) == "contradicts"
    assert classify_stance("The $100,000 H-1B visa fee story is a hoax", "White House: the H-1B fee story is fake",
                           debunking) == "confirms"


def test_scores_are_probabilities():
    scores = stance_scores(FEE, "H-1B petitions now carry a $100,000 fee", "The fee took effect on Sunday.")
    assert 0.0 <= scores.related <= 1.0
    assert math.isclose(scores.confirms + scores.contradicts + scores.mentions, 1.0, rel_tol=1e-9)


def test_an_item_with_only_a_title_is_scored():
    assert classify_stance(INVESTMENT, "NVIDIA denies it will invest $100 billion in OpenAI; report is false") == (
        "contradicts")


def test_the_shipped_file_round_trips_to_the_same_scores():
    model = load_model()
    again = StanceModel.from_json(json.loads(json.dumps(model.as_json())))
    headline, body = INVESTMENT, "NVIDIA said it would invest up to $100 billion in OpenAI, a report claimed."
    assert astuple(again.scores(headline, body)) == pytest.approx(astuple(model.scores(headline, body)), abs=1e-4)


def test_a_model_file_for_other_features_is_refused_with_a_sentence(tmp_path):
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["stance_features"] = data["stance_features"][:-1]
    stale = tmp_path / "stance_model.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(StanceModelError, match="trained on other features"):
        load_model.__wrapped__(stale)


def test_a_missing_model_file_is_a_named_error(tmp_path):
    with pytest.raises(StanceModelError, match="cannot read the stance model file"):
        load_model.__wrapped__(tmp_path / "absent.json")


def test_feature_rows_match_the_feature_names():
    index = TextIndex.fit(["The spider story was a hoax.", "Apple unveiled a phone."])
    assert len(index.relatedness_features("Giant spider", "The spider story was a hoax.")) == len(RELATEDNESS_FEATURES)
    assert len(index.stance_features("Giant spider", "The spider story was a hoax.")) == len(STANCE_FEATURES)


def test_a_headline_without_content_words_shares_nothing_with_any_body():
    index = TextIndex.fit(["The spider story was a hoax."])
    assert index.relatedness_features("is it the?", "The spider story was a hoax.") == [0.0] * len(RELATEDNESS_FEATURES)


def test_trainer_learns_a_separable_problem_and_keeps_body_groups_in_one_fold():
    np = pytest.importorskip("numpy")
    from benchmarks.train_stance import fit_softmax, group_folds

    x = np.array([[0.0, 1.0], [0.2, 0.9], [1.0, 0.1], [0.9, 0.0]] * 5)
    y = np.array([0, 0, 1, 1] * 5)
    model = fit_softmax(x, y, ("low", "high"))
    assert model.probabilities([0.1, 1.0])["low"] > 0.9
    assert model.probabilities([1.0, 0.0])["high"] > 0.9

    groups = ["a", "a", "b", "c", "c", "c", "d", "e"]
    folds = group_folds(groups, folds=3)
    assert {folds[i] for i in (0, 1)} == {folds[0]} and {folds[i] for i in (3, 4, 5)} == {folds[3]}
    assert len(set(folds)) == 3


def test_training_without_any_related_pair_is_refused_with_a_sentence():
    pytest.importorskip("numpy")
    from benchmarks.fnc1 import Pair
    from benchmarks.train_stance import TrainingDataError, train

    with pytest.raises(TrainingDataError, match="got 1 pairs, 1 of them unrelated"):
        train([Pair("Giant spider", "Apple unveiled a phone.", "1", "unrelated")])


def test_topic_groups_join_bodies_of_one_story_but_not_bodies_merely_paired_as_unrelated():
    pytest.importorskip("numpy")
    from benchmarks.fnc1 import Pair
    from benchmarks.train_stance import topic_groups

    pairs = [Pair("Giant spider found", "b1", "1", "agree"), Pair("Giant spider found", "b2", "2", "discuss"),
             Pair("Giant spider found", "b3", "3", "unrelated"), Pair("Spider story is fake", "b2", "2", "agree"),
             Pair("Apple unveils phone", "b3", "3", "agree")]
    groups = topic_groups(pairs)
    assert groups[0] == groups[1] == groups[3]
    assert groups[2] == groups[4] != groups[0]
