"""The trained calibrator: loading the shipped model, refusing a stale one, and its decisions on hand-written stories."""

import json
from pathlib import Path

import pytest

from matchers import Matcher
from matchers.calibrator import MODEL_PATH, Decision, MatcherModel, MatcherModelError, decide, load_model
from matchers.lexical import SCHEME
from matchers.matcher import FEATURES
from seeds.registry import parse_claims
from sources.item import Item

CLAIMS = parse_claims([
    {"id": "acme-beta-investment", "statement": "NVIDIA will invest up to $40 billion in OpenAI.",
     "keywords": ["investment", "stake"], "entities": ["NVIDIA", "OpenAI"],
     "quantity": {"value": 40e9, "unit": "USD", "approx": True}},
    {"id": "chip-export-ban", "statement": "US export controls bar NVIDIA from selling AI chips to China.",
     "keywords": ["export controls", "H20", "licence", "China"], "entities": ["NVIDIA"]},
])


def probabilities(**given: float) -> dict[str, float]:
    return {"unrelated": 0.0, "mentions": 0.0, "confirms": 0.0, "contradicts": 0.0, **given}


def test_shipped_model_loads_and_fits_the_features_and_terms_the_matcher_computes():
    model = load_model(FEATURES, MODEL_PATH, SCHEME)
    assert model.features == FEATURES and model.lexical_scheme == SCHEME
    assert 0 < model.alert_margin <= 1.01 and 0 < model.promote_margin <= 1.01
    assert 1_000 < len(model.terms) < 10_000
    assert MODEL_PATH.stat().st_size < 300_000  # a few thousand term weights: small enough to ship in the wheel


def test_missing_model_file_fails_at_construction_with_a_named_error(tmp_path: Path):
    with pytest.raises(MatcherModelError, match="cannot read the matcher model file .*train_matcher"):
        Matcher(CLAIMS, model_path=tmp_path / "absent.json")


def test_model_trained_on_other_features_is_refused_as_stale(tmp_path: Path):
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    stale = tmp_path / "matcher_model.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    Matcher(CLAIMS, model_path=stale)  # the shipped file as is loads
    with pytest.raises(MatcherModelError, match="other features"):
        load_model((*FEATURES, "a_feature_added_later"), stale, SCHEME)
    with pytest.raises(MatcherModelError, match="other features"):
        load_model(FEATURES, stale, SCHEME + " with trigrams")  # terms read another way
    stale.write_text(json.dumps({**data, "schema": "0" * 16}), encoding="utf-8")
    with pytest.raises(MatcherModelError, match="other features"):
        Matcher(CLAIMS, model_path=stale)


def test_model_file_with_weights_of_the_wrong_width_is_refused(tmp_path: Path):
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["mean"] = data["mean"][:-1]
    broken = tmp_path / "matcher_model.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(MatcherModelError, match="do not fit"):
        Matcher(CLAIMS, model_path=broken)


def test_unsure_alert_is_downgraded_to_mentions():
    assert decide(probabilities(confirms=0.55, mentions=0.45), "confirms", 0.6, 0.8) == Decision(
        "mentions", 0.45, downgraded=True)
    assert decide(probabilities(confirms=0.65, mentions=0.35), "confirms", 0.6, 0.8) == Decision("confirms", 0.65)


def test_an_unlikely_rules_alert_on_an_unrelated_story_is_dropped():
    assert decide(probabilities(confirms=0.2, unrelated=0.8), "confirms", 0.3, 0.8).stance == "unrelated"


def test_a_rules_alert_stands_on_the_models_odds_of_an_alert_of_either_polarity():
    # "Federal judge blocks Trump's $100,000 H-1B visa fee": the model is split between the polarities, not on
    # whether the headline is news about the claim; the rules read the cue, so their polarity stands.
    split = probabilities(confirms=0.48, contradicts=0.46, mentions=0.06)
    assert decide(split, "contradicts", 0.6, 0.8) == Decision("contradicts", pytest.approx(0.94))
    assert decide(split, "contradicts", 0.95, 0.8).stance == "mentions"


def test_model_reverses_the_rules_polarity_only_by_its_reverse_margin():
    leaning = probabilities(contradicts=0.55, confirms=0.35, mentions=0.1)
    assert decide(leaning, "confirms", 0.3, 0.5).stance == "confirms"  # by default never reversed
    assert decide(leaning, "confirms", 0.3, 0.5, reverse_margin=0.3).stance == "confirms"
    turned = decide(leaning, "confirms", 0.3, 0.5, reverse_margin=0.2)
    assert turned == Decision("contradicts", pytest.approx(0.9), reversed=True)
    assert "against the rules' cue" in turned.label
    doubted = decide(leaning, "confirms", 0.3, 0.5, reverse_margin=0.3, doubt_margin=0.1)
    assert doubted.stance == "mentions" and doubted.downgraded


def test_alert_the_rules_did_not_make_needs_the_higher_promote_margin():
    sure = probabilities(confirms=0.75, mentions=0.25)
    assert decide(sure, "mentions", 0.3, 0.8).stance == "mentions"
    assert decide(sure, "mentions", 0.3, 0.7).stance == "confirms"
    assert decide(sure, None, 0.3, 0.7).stance == "confirms"


def test_decision_label_shows_the_models_confidence_in_the_why_line():
    assert Decision("confirms", 0.912).label == "model: confirms 0.91"
    assert "unsure" in Decision("mentions", 0.41, downgraded=True).label


def test_probabilities_are_a_softmax_over_standardised_features():
    model = MatcherModel(("a", "b"), (1.0, 0.0), (2.0, 1.0),
                         ((0.0, 0.0), (0.0, 0.0), (1.0, 0.0), (0.0, 1.0)), (0.0, 0.0, 0.0, 0.0), 0.5, 0.5)
    found = model.probabilities([3.0, 0.0])  # standardised: (1, 0) -> only "confirms" gains
    assert found["confirms"] > found["contradicts"] == pytest.approx(found["unrelated"])
    assert sum(found.values()) == pytest.approx(1.0)


def test_each_known_term_of_a_pair_adds_its_weights_once_and_unknown_terms_add_nothing():
    model = MatcherModel(("a",), (0.0,), (1.0,), ((0.0,),) * 4, (0.0, 0.0, 0.0, 0.0), 0.5, 0.5,
                         {"lapse": (0.0, 0.0, 0.0, 2.0)}, SCHEME)
    plain = model.probabilities([0.0])
    lapsed = model.probabilities([0.0], {"lapse", "a-word-never-seen"})
    assert plain["contradicts"] == pytest.approx(0.25)
    assert lapsed["contradicts"] > 0.25 and lapsed["unrelated"] == pytest.approx(lapsed["confirms"])
    assert MatcherModel.from_json(model.as_json(), ("a",), SCHEME).terms == {"lapse": (0.0, 0.0, 0.0, 2.0)}


def calibrated(title: str, summary: str = "", claim: str = "acme-beta-investment") -> str:
    verdicts = {v.claim_id: v for v in Matcher(CLAIMS).match([Item("i", title, summary=summary)])}
    return verdicts[claim].stance if claim in verdicts else "unrelated"


@pytest.mark.parametrize(("title", "summary", "expected"), [
    ("Nvidia completes $40 billion investment in OpenAI",
     "The chipmaker closed its $40 billion investment in the ChatGPT maker on Monday.", "confirms"),
    ("Nvidia scraps planned $40 billion investment in OpenAI",
     "Nvidia has cancelled its plan to invest $40 billion in OpenAI, people familiar said.", "contradicts"),
    ("Nvidia 10-Q: no assurance that the $40 billion OpenAI investment will be completed", "", "contradicts"),
    ("What Nvidia's $40 billion OpenAI investment means for investors?", "", "mentions"),
    ("Commerce revokes Nvidia H20 licences for China", "", "confirms"),
])
def test_calibrated_matcher_on_clear_hand_written_stories(title, summary, expected):
    claim = "chip-export-ban" if "licences" in title else "acme-beta-investment"
    assert calibrated(title, summary, claim) == expected


def test_calibrated_verdicts_say_how_sure_the_model_is():
    (verdict,) = [v for v in Matcher(CLAIMS).match([Item("i", "Nvidia completes $40 billion investment in OpenAI")])
                  if v.claim_id == "acme-beta-investment"]
    assert "model: confirms" in verdict.why


def test_story_about_something_else_stays_unrelated():
    assert calibrated("Walmart opens 40 new stores in Texas", "The retailer said sales rose 4%.") == "unrelated"
