"""Figures in English and Chinese text, normalised and compared with a claim's quantity."""

import pytest

from matchers.quantities import compare, extract_figures
from matchers.text import normalise
from seeds.registry import Quantity


def figures(text: str) -> list[tuple[float, str]]:
    return [(f.value, f.unit) for f in extract_figures(normalise(text))]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("a $100,000 fee", 100_000, "USD"),
        ("the $100K fee", 100_000, "USD"),
        ("10万美元的费用", 100_000, "USD"),
        ("$0.1 million", 100_000, "USD"),
        ("10 gigawatts of systems", 10, "GW"),
        ("10GW", 10, "GW"),
        ("10吉瓦", 10, "GW"),
        ("十吉瓦", 10, "GW"),
        ("500 megawatts", 0.5, "GW"),
        ("a fifth of the market", 20, "%"),
        ("$500bn", 500e9, "USD"),
        ("half a trillion dollars", 500e9, "USD"),
        ("1000亿美元", 100e9, "USD"),
        ("5万亿美元", 5e12, "USD"),
        ("95%", 95, "%"),
        ("百分之九十五", 95, "%"),
        ("500,000 GPUs", 500_000, "count"),
        ("800 million weekly users", 800e6, "count"),
        ("a billion-fold", 1e9, "x"),
        ("€50 billion", 50e9, "EUR"),
        ("£2 billion", 2e9, "GBP"),
        ("1000亿元", 100e9, "CNY"),
        ("500亿欧元", 50e9, "EUR"),
        ("10 billion yuan", 10e9, "CNY"),
    ],
)
def test_each_written_form_normalises_to_one_value_and_unit(text, value, unit):
    assert figures(text) == [(pytest.approx(value), unit)]


def test_bare_scaled_number_has_no_unit():
    assert figures("a 100k fee") == [(100_000, "")]


def test_dates_share_prices_and_form_names_are_not_figures_of_the_story():
    found = extract_figures(normalise("On Sept. 22, 2025 Nvidia filed a 10-K; shares rose 3% to $180 a share"))
    assert [f.role for f in found] == ["aside", "aside"]


def test_old_value_in_from_to_is_marked_as_before():
    found = extract_figures(normalise("NVIDIA's share fell from 95% to zero"))
    assert [(f.value, f.role) for f in found] == [(95, "before"), (0, "")]


def test_the_expectation_a_result_is_measured_against_is_marked_as_before():
    found = extract_figures(normalise("gross margin fell to 64.2%, below analysts' estimates of 71%"))
    assert [(f.value, f.role) for f in found] == [(64.2, ""), (71, "before")]


def test_ranges_keep_both_ends():
    (found,) = extract_figures(normalise("5 to 7 gigawatts"))
    assert (found.value, found.upper, found.unit) == (5, 7, "GW")


@pytest.mark.parametrize("text", ["10 to 15 years behind", "between 10 and 15 years"])
def test_a_range_of_years_is_read_whole_not_cut_inside_its_upper_end(text):
    # The regex once backtracked into "1" of "15 years" to avoid a years range and lost the figure altogether.
    (found,) = extract_figures(normalise(text))
    assert (found.value, found.upper, found.unit) == (10, 15, "years")


@pytest.mark.parametrize(("text", "expected"), [
    ("colossus 2 will house 550,000 nvidia gb200 and gb300 chips", [(550_000, "count")]),
    ("about 10,000 h100 gpus", [(10_000, "count")]),
    ("in 2026 nvidia chips", []),  # a year, not a count
    ("5090 gaming chips", []),  # a model name
])
def test_a_number_with_thousands_separators_counts_the_hardware_named_after_it(text, expected):
    assert [(f.value, f.unit) for f in extract_figures(normalise(text))] == expected


def test_per_year_and_per_quarter_are_read():
    assert [f.per for f in extract_figures(normalise("$500bn a year and $120 billion per quarter"))] == ["year", "quarter"]


def test_compare_within_tolerance_is_same_and_far_off_is_different():
    claim = Quantity(value=100e9, unit="USD", approx=True)
    (close,) = extract_figures(normalise("$110 billion"))
    (far,) = extract_figures(normalise("$30 billion"))
    (watts,) = extract_figures(normalise("10 GW"))
    assert compare(close, claim) == "same"
    assert compare(far, claim) == "different"
    assert compare(watts, claim) == "incomparable"


def test_quarterly_figure_is_annualised_for_a_yearly_claim():
    (quarterly,) = extract_figures(normalise("$125 billion per quarter"))
    assert compare(quarterly, Quantity(value=500e9, unit="USD", per="year", approx=True)) == "same"


def test_unitless_number_supports_but_never_contradicts():
    claim = Quantity(value=100_000, unit="USD")
    (same,) = extract_figures(normalise("100k"))
    (other,) = extract_figures(normalise("250k"))
    assert compare(same, claim) == "same"
    assert compare(other, claim) == "incomparable"


def test_an_amount_in_another_currency_is_not_compared_with_a_dollar_claim():
    claim = Quantity(value=50e9, unit="USD", approx=True)
    for text in ("up to €50 billion of support", "500亿欧元补贴", "500亿元补贴"):
        (found,) = extract_figures(normalise(text))
        assert compare(found, claim) == "incomparable", text


def test_a_share_near_100_percent_keeps_its_tolerance_in_points_of_what_is_left():
    margin = Quantity(value=75, unit="%", approx=True)
    share = Quantity(value=10, unit="%", approx=True)
    assert [compare(f, margin) for f in extract_figures(normalise("73.5%, 64% and 81%"))] == ["same", "different", "different"]
    assert [compare(f, share) for f in extract_figures(normalise("9%, 11.5% and 14%"))] == ["same", "same", "different"]


@pytest.mark.parametrize(("text", "old"), [
    ("a market that once supplied a fifth of its sales", "a fifth"),
    ("a $30bn stake that replaces the up-to-$100bn arrangement", "$100bn"),
    ("取代去年千亿美元分期方案", "千亿美元"),
    ("worth far less than the reported $300 billion", "$300 billion"),
    ("an investment that will be nothing like $100 billion", "$100 billion"),
])
def test_a_former_or_reported_value_is_marked_as_before(text, old):
    assert [(f.text, f.role) for f in extract_figures(normalise(text)) if f.text == old] == [(old, "before")]


def test_a_tranche_is_part_of_the_claimed_amount():
    found = extract_figures(normalise("Nvidia closes first OpenAI tranche of $10 billion; investment to start with $10 billion"))
    assert [f.role for f in found] == ["part", "part"]


@pytest.mark.parametrize(("text", "value"), [("份额约两成", 20), ("毛利率跌至六成四", 64), ("九成毕业生", 90), ("5成", 50)])
def test_chinese_tenths_are_percentages(text, value):
    assert figures(text) == [(value, "%")]


def test_words_with_cheng_that_are_not_numbers_are_no_figures():
    assert figures("公司成本上升，完成交付后成为第一") == []


def test_a_ceiling_runs_from_zero_and_states_an_effectively_zero_share():
    (below,) = extract_figures(normalise("英伟达份额已不足1%"))
    assert (below.value, below.upper) == (0.0, 1.0)
    assert compare(below, Quantity(value=0, unit="%")) == "same"
    (less,) = extract_figures(normalise("less than 1% of US water"))
    assert compare(less, Quantity(value=1, unit="%")) == "same"


@pytest.mark.parametrize(("text", "old", "new"), [
    ("毛利率为64.1%，较上季度的75%明显回落", "75%", "64.1%"),
    ("已占约20%，远高于年初市场估计的2%左右", "2%", "20%"),
    ("比例已从三年前的约九成降至约12%", "九成", "12%"),
])
def test_chinese_comparisons_mark_the_old_value_and_keep_the_new_one(text, old, new):
    roles = {f.text: f.role for f in extract_figures(normalise(text))}
    assert roles[old] == "before" and roles[new] == ""


def test_every_old_value_phrase_in_the_labelled_sets_holds_one_of_the_words_that_gate_the_pattern():
    # _role runs the costly "before" pattern only when the window holds one of _BEFORE_ROLE_WORDS; a phrase the
    # pattern knows but the words miss would silently stop being read as an old value.
    import json
    from pathlib import Path

    from matchers.quantities import _BEFORE_ROLE, _BEFORE_ROLE_WORDS
    from matchers.text import sentences

    data = Path(__file__).parents[1] / "benchmarks" / "data"
    matched = 0
    for name in ("devset", "train", "holdout"):
        for line in (data / f"{name}_items.jsonl").read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            for sentence in sentences(normalise(f"{item['title']}. {item.get('summary') or ''}")):
                for figure in extract_figures(sentence):
                    before = sentence[max(0, figure.start - 45) : figure.start]
                    if _BEFORE_ROLE.search(before):
                        matched += 1
                        assert any(word in before for word in _BEFORE_ROLE_WORDS), before
    assert matched > 200  # the check saw many old-value phrases, English and Chinese
