"""Stance cues and the negations and hedges that scope over them."""

import pytest

from matchers.cues import find_cues, is_restriction
from matchers.text import normalise


def polarities(text: str, restriction: bool = False) -> list[str | None]:
    return [cue.polarity(restriction) for cue in find_cues(normalise(text))]


@pytest.mark.parametrize("text", ["Deal not cancelled, Nvidia says", "Nvidia denies report the deal was cancelled",
                                  "Judge declines to block the H-1B fee", "英伟达否认取消投资"])
def test_negated_contradiction_is_no_contradiction(text):
    assert "contradict" not in polarities(text)


@pytest.mark.parametrize("text", ["The investment was scrapped", "Nvidia's OpenAI investment is on ice",
                                  "Court strikes down the $100,000 fee", "The investment has not been finalised",
                                  "Nvidia denies it will invest $100 billion", "英伟达叫停投资"])
def test_contradiction_cues_are_found(text):
    assert "contradict" in polarities(text)


def test_hedged_cue_takes_no_side():
    assert polarities("Trump may cancel the fee") == [None]


@pytest.mark.parametrize("text", ["US grants licences for H20 sales to China", "美国恢复H20对华销售",
                                  "Washington lifts the ban on chip sales",
                                  "Treasury gets 15% of revenue from licensed H20 and MI308 sales to China"])
def test_release_contradicts_a_restriction_claim(text):
    assert polarities(text, restriction=True) == ["contradict"] * len(polarities(text, restriction=True))
    assert polarities(text, restriction=True)


def test_block_confirms_a_restriction_but_contradicts_anything_else():
    assert polarities("US blocks Nvidia chip sales", restriction=True) == ["confirm"]
    assert polarities("Court blocks the H-1B fee", restriction=False) == ["contradict"]


def test_restriction_claims_are_recognised_from_their_statement():
    assert is_restriction("US export controls bar NVIDIA from selling advanced AI chips to China.")
    assert not is_restriction("After the ban on H20 sales was lifted, NVIDIA may sell chips to China.")
    assert not is_restriction("The United States charges a $100,000 fee on new H-1B visa petitions.")
