"""match_items: relevance, entity requirements, stance, quantities, Chinese text and story clustering."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from matchers import Matcher, cluster_stories, match_items
from seeds.registry import parse_claims
from sources.item import Item

CLAIMS = parse_claims([
    {"id": "stargate-10gw-nvidia-systems",
     "statement": "OpenAI will build and deploy at least 10 gigawatts of NVIDIA systems for its AI infrastructure.",
     "aliases": ["OpenAI and NVIDIA partnership to deploy 10 gigawatts of NVIDIA systems", "OpenAI 将部署 10 吉瓦的英伟达系统"],
     "keywords": ["OpenAI", "NVIDIA", "Stargate", "10 gigawatts", "data center", "Vera Rubin"],
     "entities": ["NVIDIA", "OpenAI"], "quantity": {"value": 10, "unit": "GW"}},
    {"id": "nvidia-openai-investment-100b",
     "statement": "NVIDIA will invest up to $100 billion in OpenAI as the 10-gigawatt build-out proceeds.",
     "aliases": ["NVIDIA to invest up to $100 billion in OpenAI", "英伟达向 OpenAI 投资最多 1000 亿美元"],
     "keywords": ["NVIDIA", "OpenAI", "investment", "$100 billion", "stake"],
     "entities": ["NVIDIA", "OpenAI"], "quantity": {"value": 100e9, "unit": "USD", "approx": True}},
    {"id": "h1b-fee-100k", "statement": "The United States charges a $100,000 fee on new H-1B visa petitions.",
     "aliases": ["$100,000 H-1B visa fee", "H-1B 签证 10 万美元费用"],
     "keywords": ["H-1B", "visa", "fee", "$100,000", "proclamation", "USCIS"],
     "quantity": {"value": 100000, "unit": "USD"}},
    {"id": "us-export-controls-china-ai-chips",
     "statement": "US export controls bar NVIDIA from selling its advanced AI data-center chips to China.",
     "aliases": ["US export restrictions on NVIDIA AI chips to China", "美国对华 AI 芯片出口管制"],
     "keywords": ["export controls", "China", "NVIDIA", "H20", "AI chips", "licence", "Commerce Department"],
     "entities": ["NVIDIA"]},
    {"id": "hyperscaler-ai-capex-500b",
     "statement": "Hyperscalers' AI infrastructure capital expenditure totals about $500 billion a year.",
     "keywords": ["hyperscaler", "capex", "capital expenditure", "Microsoft", "Alphabet", "Amazon", "Meta"],
     "quantity": {"value": 500e9, "unit": "USD", "per": "year", "approx": True}},
])


def verdicts(*items: Item) -> dict[tuple[str, str], object]:
    return {(v.item_id, v.claim_id): v for v in match_items(list(items), CLAIMS)}


def test_announcement_with_the_claimed_figure_confirms_and_why_names_terms_cue_and_quantity():
    found = verdicts(Item("a", "OpenAI and NVIDIA announce partnership to deploy 10 gigawatts of NVIDIA systems"))
    verdict = found[("a", "stargate-10gw-nvidia-systems")]
    assert verdict.stance == "confirms"
    assert '"NVIDIA"' in verdict.why and '"OpenAI"' in verdict.why
    assert "'announce'" in verdict.why and "10 gigawatts = claim 10 GW" in verdict.why


def test_story_about_another_chipmaker_does_not_confirm_the_nvidia_claim():
    found = verdicts(Item("b", "OpenAI and Broadcom announce 10 gigawatts of custom AI accelerators"))
    verdict = found.get(("b", "stargate-10gw-nvidia-systems"))
    assert verdict is None or verdict.stance == "mentions"


def test_shrunken_investment_contradicts_the_claimed_figure():
    found = verdicts(Item("c", "Nvidia to invest $30 billion in OpenAI, down from $100 billion"))
    verdict = found[("c", "nvidia-openai-investment-100b")]
    assert verdict.stance == "contradicts"
    assert "$30 billion ≠ claim $100 billion" in verdict.why


def test_the_claimed_figure_named_as_the_wrong_one_makes_the_other_figure_a_revision():
    # No word of the claim's subject: both companies and "not $100 billion" say what the $30 billion revises.
    rules = Matcher(CLAIMS, model_path=None)
    (verdict,) = rules.match([Item("c2", "Filing shows Nvidia put $30 billion into OpenAI, not $100 billion")])
    assert (verdict.claim_id, verdict.stance) == ("nvidia-openai-investment-100b", "contradicts")
    assert rules.match([Item("c3", "Filing shows Nvidia put $30 billion into OpenAI")]) == []


@pytest.mark.parametrize(("title", "stance"), [
    ("Nvidia's $100 billion investment in OpenAI is on ice", "contradicts"),
    ("Nvidia denies report its $100 billion OpenAI investment was cancelled", "confirms"),
    ("Nvidia's $100 billion OpenAI investment not cancelled, CEO says", "confirms"),
    ("Nvidia's $100 billion OpenAI investment may be cancelled, analysts say", "mentions"),
])
def test_negation_and_hedges_decide_what_a_cancellation_word_means(title, stance):
    assert verdicts(Item("d", title))[("d", "nvidia-openai-investment-100b")].stance == stance


def test_court_declining_to_block_a_fee_is_not_a_contradiction():
    verdict = verdicts(Item("e", "Judge declines to block $100,000 H-1B visa fee"))[("e", "h1b-fee-100k")]
    assert verdict.stance != "contradicts"


def test_court_blocking_the_fee_contradicts_it():
    verdict = verdicts(Item("e", "Federal judge blocks Trump's $100,000 H-1B visa fee"))[("e", "h1b-fee-100k")]
    assert verdict.stance == "contradicts"


def test_licences_granted_contradict_an_export_ban_claim():
    found = verdicts(Item("f", "US grants Nvidia licences to sell H20 AI chips to China"))
    assert found[("f", "us-export-controls-china-ai-chips")].stance == "contradicts"


@pytest.mark.parametrize("title", [
    "Stargate SG-1 reboot announced by Amazon MGM Studios",
    "China expands export controls on rare earths",
    "Tesla raises capex guidance to $11 billion",
    "H-1B lottery registration opens in March for fiscal 2027",
])
def test_hard_negatives_sharing_words_stay_below_threshold_or_take_no_side(title):
    for verdict in verdicts(Item("n", title)).values():
        assert verdict.stance == "mentions", verdict


def test_stargate_tv_series_is_not_related_at_all():
    assert not verdicts(Item("n", "Stargate TV series reboot in the works at Amazon"))


def test_chinese_items_match_with_chinese_names_and_figures():
    found = verdicts(
        Item("z1", "英偉達宣布向OpenAI投資1000億美元"),
        Item("z2", "美国宣布对新H-1B签证申请征收10万美元费用"),
    )
    assert found[("z1", "nvidia-openai-investment-100b")].stance == "confirms"
    assert found[("z2", "h1b-fee-100k")].stance == "confirms"
    assert "10万美元 = claim" in found[("z2", "h1b-fee-100k")].why


def test_duplicates_from_several_feeds_share_the_earliest_story_id():
    t0 = datetime(2025, 9, 22, 12, tzinfo=timezone.utc)
    items = [
        Item("late", "Nvidia to invest up to $100 billion in OpenAI - CNBC", published=t0 + timedelta(hours=3)),
        Item("early", "Nvidia to invest up to $100bn in OpenAI | Reuters", published=t0),
        Item("other", "Oracle shares jump on OpenAI cloud contract", published=t0),
        Item("week-later", "Nvidia to invest up to $100 billion in OpenAI", published=t0 + timedelta(days=9)),
    ]
    stories = cluster_stories(items)
    assert stories["late"] == stories["early"] == "early"
    assert stories["other"] == "other"
    assert stories["week-later"] == "week-later"
    found = match_items(items[:2], CLAIMS)
    assert {v.story_id for v in found} == {"early"}


_TIED_COPY = """
from datetime import datetime, timedelta, timezone
from matchers.clustering import cluster_stories
from sources.item import Item
t0 = datetime(2025, 10, 20, 19, tzinfo=timezone.utc)
titles = ["USCIS: H-1B petitions for beneficiaries outside the US must show proof of $100,000 payment",
          "USCIS: H-1B petitions for workers abroad must include proof of the $100,000 payment",
          "USCIS details who must pay: petitions for H-1B workers outside the US need proof of $100,000 payment"]
items = [Item(name, title, published=t0 + timedelta(minutes=70 * n))
         for n, (name, title) in enumerate(zip(["first", "second", "copy"], titles))]
print(cluster_stories(items)["copy"])
"""


def test_a_copy_as_close_to_two_stories_joins_the_earliest_whatever_the_hash_seed():
    # Two USCIS stories an hour apart, and a third headline sharing as many words with each. Which one it joined
    # followed the order of a set of strings, which changes with PYTHONHASHSEED (seeds 1 and 6 differed): the same
    # copy could get another story id, so another alert key, in another run.
    import os
    import subprocess
    import sys
    joined = {subprocess.run([sys.executable, "-c", _TIED_COPY], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("0", "1", "6")}
    assert joined == {"first"}


def test_two_outlets_headlines_for_one_announcement_within_a_day_and_a_half_are_one_story():
    t0 = datetime(2025, 9, 22, 16, tzinfo=timezone.utc)
    items = [
        Item("newsroom", "OpenAI and NVIDIA Announce Strategic Partnership to Deploy 10 Gigawatts of NVIDIA Systems",
             published=t0),
        Item("cnbc", "OpenAI and Nvidia announce partnership to deploy 10 gigawatts of Nvidia systems, "
             "with up to $100 billion investment - CNBC", published=t0 + timedelta(hours=2)),
        Item("next-week", "OpenAI and Nvidia announce strategic partnership to deploy 10 gigawatts of Nvidia systems, "
             "first site named", published=t0 + timedelta(days=6)),
        Item("short", "Nvidia OpenAI deal", published=t0 + timedelta(hours=1)),
        Item("short-extended", "Nvidia OpenAI deal lifts chip stocks", published=t0 + timedelta(hours=2)),
        Item("other-chip", "US grants AMD licence to sell MI308 chips to China", published=t0),
        Item("h20", "US grants NVIDIA licence to sell H20 chips to China", published=t0 + timedelta(hours=1)),
    ]
    stories = cluster_stories(items)
    assert stories["cnbc"] == "newsroom"
    assert stories["next-week"] == "next-week"  # too far apart to be the same report
    assert stories["short-extended"] == "short-extended"  # a three-word headline says too little to merge on
    assert stories["h20"] == "h20"  # same wording, another company's chip: another story


def test_a_headline_only_wire_copy_takes_the_alert_of_its_story():
    t0 = datetime(2025, 9, 19, 22, tzinfo=timezone.utc)
    title = "Trump signs proclamation overhauling H-1B visa programme"
    full = Item("full", title, summary="The proclamation requires employers to pay a $100,000 fee with each new "
                "H-1B petition, starting Sunday, the White House said.", published=t0)
    copy = Item("google-news", title + " - Reuters", summary=title + "  Reuters", published=t0 + timedelta(minutes=40))
    matcher = Matcher(CLAIMS)
    assert [(v.claim_id, v.stance) for v in matcher.match([copy])] == [("h1b-fee-100k", "mentions")]  # alone: no fee
    found = {v.item_id: v for v in matcher.match([full, copy]) if v.claim_id == "h1b-fee-100k"}
    assert found["full"].stance == found["google-news"].stance == "confirms"
    assert found["google-news"].why.startswith("same story as full: ")
    assert found["full"].story_id == found["google-news"].story_id == "full"  # one story: one alert


def test_a_copy_in_a_later_batch_joins_the_stored_story_and_takes_its_alert():
    t0 = datetime(2025, 9, 19, 22, tzinfo=timezone.utc)
    title = "Trump signs proclamation overhauling H-1B visa programme"
    full = Item("full", title, summary="The proclamation requires employers to pay a $100,000 fee with each new "
                "H-1B petition, starting Sunday, the White House said.", published=t0)
    matcher = Matcher(CLAIMS)
    stored = [(full, verdict) for verdict in matcher.match([full])]
    copy = Item("google-news", title + " - Reuters", summary=title + "  Reuters", published=t0 + timedelta(minutes=40))
    [found] = matcher.match([copy], earlier=stored)
    assert (found.claim_id, found.stance, found.story_id) == ("h1b-fee-100k", "confirms", "full")
    assert found.why.startswith("same story as full: ")
    # A stored story keeps the id it was stored under, even when a copy published earlier arrives late.
    early = Item("early", title + " - CNBC", summary=title, published=t0 - timedelta(minutes=5))
    relabelled = [(item, replace(verdict, story_id="story-7")) for item, verdict in stored]
    assert {v.story_id for v in matcher.match([early], earlier=relabelled)} == {"story-7"}
    # Out of the window, or another story: judged alone.
    late = Item("late", title + " - Reuters", summary=title + "  Reuters", published=t0 + timedelta(days=4))
    assert [(v.stance, v.story_id) for v in matcher.match([late], earlier=stored)] == [("mentions", "late")]


def test_a_later_copy_alerting_the_other_way_keeps_its_stance_and_alerts_on_its_own():
    t0 = datetime(2025, 12, 16, 18, tzinfo=timezone.utc)
    upheld = Item("upheld", "Federal judge upholds Trump's $100,000 H-1B visa fee", published=t0)
    blocked = Item("blocked", "Federal judge blocks Trump's $100,000 H-1B visa fee", published=t0 + timedelta(hours=1))
    matcher = Matcher(CLAIMS)
    stored = [(upheld, verdict) for verdict in matcher.match([upheld])]
    assert [v.stance for _, v in stored] == ["confirms"]
    [found] = matcher.match([blocked], earlier=stored)
    # Near-identical headlines cluster, but the store keys alerts on (claim, story, stance): this one still alerts.
    assert (found.stance, found.story_id) == ("contradicts", "upheld")
    assert not found.why.startswith("same story")


def test_story_copies_alerting_both_ways_keep_their_own_stances():
    from matchers.clustering import story_alerts
    stories = {"a": "a", "b": "a", "c": "a", "d": "d"}
    mixed = {("a", "fee"): "confirms", ("b", "fee"): "contradicts", ("c", "fee"): "mentions", ("d", "fee"): "mentions"}
    assert story_alerts(mixed, stories) == {}  # a reversal inside one story is never papered over
    one_way = {("a", "fee"): "confirms", ("b", "fee"): "confirms", ("c", "cap"): "contradicts"}
    taken = story_alerts(one_way, stories, rank=lambda pair: {"a": 0.7, "b": 0.9}.get(pair[0], 0.0))
    # c takes the fee alert (it had no verdict on it) from the best-scored copy; a and b take c's "cap" alert.
    assert taken == {("c", "fee"): ("b", "fee"), ("a", "cap"): ("c", "cap"), ("b", "cap"): ("c", "cap")}
    assert story_alerts({("d", "fee"): "confirms"}, stories) == {}  # a story of one copy has no one to share with


def test_filing_sections_under_one_form_title_are_different_stories():
    t0 = datetime(2025, 11, 19, 21, tzinfo=timezone.utc)
    items = [
        Item("revenue", "NVIDIA Form 10-Q, quarter ended October 26, 2025 - Revenue by end market: automotive",
             published=t0),
        Item("risks", "NVIDIA Form 10-Q, quarter ended October 26, 2025 - Risk Factors: strategic investments",
             published=t0),
    ]
    assert cluster_stories(items) == {"revenue": "revenue", "risks": "risks"}


def test_matcher_reuses_compiled_claims_across_batches():
    matcher = Matcher(CLAIMS)
    first = matcher.match([Item("x", "US imposes $100,000 fee on H-1B visas")])
    second = matcher.match([Item("y", "Hyperscalers' capex to top $500 billion a year as Microsoft and Meta spend")])
    assert [(v.claim_id, v.stance) for v in first] == [("h1b-fee-100k", "confirms")]
    assert [(v.claim_id, v.stance) for v in second] == [("hyperscaler-ai-capex-500b", "confirms")]


def test_retired_claims_are_not_matched():
    retired = [claim.model_copy(update={"retired": True}) for claim in CLAIMS]
    assert match_items([Item("x", "US imposes $100,000 fee on H-1B visas")], retired) == []


def test_literal_index_finds_short_and_long_literals_and_only_those_present():
    from matchers.text import LiteralIndex
    index = LiteralIndex([("吉瓦", "gw"), ("invest", "investment"), ("h-1b", "visa"), ("nvidia", "nvidia")])
    assert sorted(index.found_in("nvidia to invest 10吉瓦")) == ["gw", "investment", "nvidia"]
    assert index.found_in("no tracked words here") == []
    assert LiteralIndex([]).found_in("nvidia") == []


def test_whole_word_literals_are_found_only_where_no_letter_or_digit_touches_them():
    from matchers.text import LiteralIndex
    index = LiteralIndex([("amd", "AMD"), ("xai", "xAI"), ("英伟达", "NVIDIA")], whole_words=True)
    assert index.found_in("amdahl's law") == []
    assert index.found_in("amdahl's law, says amd") == ["AMD"]  # a later occurrence standing alone counts
    assert index.found_in("xai2 and amd-backed") == ["AMD"]
    assert index.found_in("新英伟达rtx") == ["NVIDIA"]  # Chinese runs into anything


def test_literal_index_reports_each_value_once_and_every_value_of_a_shared_literal():
    from matchers.text import LiteralIndex
    index = LiteralIndex([("china", "export-controls"), ("china", "china-share"), ("chin", "prefix")])
    assert sorted(index.found_in("china, china and china")) == ["china-share", "export-controls", "prefix"]


def test_chinese_company_name_glued_to_a_product_name_is_still_found():
    from matchers.entities import find_entities
    from matchers.text import normalise
    assert "NVIDIA" in find_entities(normalise("网信办要求停止采购英伟达RTX Pro 6000D"))


def test_a_product_only_one_company_sells_names_that_company_without_becoming_a_claim_keyword():
    from matchers.entities import canonical_entity, find_entities
    from matchers.text import normalise
    assert find_entities(normalise("GB200 NVL72 serves models 30 times faster than H100")) == {"NVIDIA"}
    assert find_entities(normalise("谷歌第七代TPU扩大供货")) == {"Alphabet"}
    assert canonical_entity("H20") == "H20"  # "H20" stays a subject term of the H20 claim


def test_chinese_colon_keeps_the_second_half_of_a_headline():
    from matchers.clustering import story_title
    assert story_title(Item("i", "英伟达否认与OpenAI合作告吹：意向书仍然有效")).endswith("意向书仍然有效")
    assert story_title(Item("j", "Nvidia to invest in OpenAI - Reuters")) == "nvidia to invest in openai"


def test_a_company_only_a_claim_names_is_found_as_a_whole_word():
    # "Cursor" is in no alias table: the claim's own entity is looked up as a whole word, so "precursor" is not it.
    claims = parse_claims([
        {"id": "cursor-1b-revenue", "statement": "Cursor will reach $1 billion in annual revenue.",
         "keywords": ["Cursor", "annual revenue", "ARR"], "entities": ["Cursor"],
         "quantity": {"value": 1e9, "unit": "USD"}}])
    matcher = Matcher(claims, model_path=None)
    assert "Cursor" in matcher._view(Item("a", "Cursor tops $1 billion in annual revenue")).entities
    assert "Cursor" not in matcher._view(Item("b", "A precursor to $1 billion in annual revenue")).entities
