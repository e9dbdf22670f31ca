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
                                  "Nvidia denies it will invest $100 billion", "英伟达叫停投资",
                                  "Judge rules the $100,000 H-1B fee unlawful", "法院裁定H-1B收费违法"])
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


@pytest.mark.parametrize("text", ["Nvidia denies report that its OpenAI gigawatt pact is being unwound",
                                  "Nvidia calls report of OpenAI rift 'false', says plan stands",
                                  "Commerce denies report that Blackwell licences for China are being drafted",
                                  "英伟达回应：合作已暂停的报道不实"])
def test_denying_a_report_is_no_contradiction_of_its_own(text):
    assert "contradict" not in polarities(text)


def test_what_a_denied_report_said_is_negated():
    assert polarities("A report that the OpenAI investment was cancelled is false, Nvidia says") == ["confirm"]


@pytest.mark.parametrize("text", ["Ninth Circuit pauses injunction against the H-1B fee",
                                  "Appeals court stays the nationwide injunction, reinstating the $100,000 fee"])
def test_undoing_an_injunction_reinstates_the_claim(text):
    assert set(polarities(text)) == {"confirm"}


def test_a_refused_request_scopes_over_what_it_asked_for():
    text = ("The justices denied an emergency request from a coalition of universities and hospitals "
            "to suspend the $100,000 charge on new H-1B petitions")
    assert polarities(text) == ["confirm"]


def test_a_concession_takes_no_side():
    assert "contradict" not in polarities("Oracle says the OpenAI contract is fully intact despite delay chatter")


@pytest.mark.parametrize("text", ["Cyberspace regulator orders ByteDance to cancel orders of Nvidia's RTX Pro 6000D",
                                  "英伟达H20对华销售再度叫停", "Distributor pays civil penalty over diversion of Nvidia GPUs",
                                  "Commerce has not approved new H20 export licences in months"])
def test_stopping_trade_enforcing_or_withholding_licences_confirms_a_restriction(text):
    found = polarities(text, restriction=True)
    assert "confirm" in found and "contradict" not in found


@pytest.mark.parametrize("text", ["US restores 100% tariffs on Chinese imports", "美方恢复加征关税"])
def test_restoring_a_restriction_restricts(text):
    assert [cue.kind for cue in find_cues(normalise(text))] == ["restrict"]


@pytest.mark.parametrize("text", ["Nvidia and AMD agree to pay 15% of China revenue in exchange for export licences",
                                  "Trump allows Nvidia H200 sales to China", "英伟达拿到首批H200对华出口许可",
                                  "Commerce scraps the 15% levy on H20 sales; licences continue"])
def test_licences_and_allowed_sales_loosen_a_restriction(text):
    assert "contradict" in polarities(text, restriction=True)
