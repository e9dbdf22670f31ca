"""The matcher's judgement mechanisms on small hand-written stories: frames, figure roles, competition, forecasts.

These specify the rules themselves, so they run the matcher without its trained calibrator (which reads the
rules' output as features; `test_matchers_calibration.py` covers it).
"""

from datetime import datetime, timezone

import pytest

from matchers import Matcher, Verdict
from matchers.cues import find_cues
from matchers.entities import acting_government
from matchers.quantities import extract_figures
from matchers.text import normalise
from seeds.registry import parse_claims
from sources.item import Item

CLAIMS = parse_claims([
    {"id": "acme-beta-investment", "statement": "Acme will invest up to $40 billion in Beta.",
     "speaker": "Jane Roe", "aliases": ["Acme to invest $40 billion in Beta"],
     "keywords": ["investment", "stake"], "entities": ["NVIDIA", "OpenAI"],
     "quantity": {"value": 40e9, "unit": "USD", "approx": True}},
    {"id": "acme-beta-revenue", "statement": "The Beta deal could bring Acme $90 billion of revenue.",
     "keywords": ["revenue", "chip sales"], "entities": ["NVIDIA", "OpenAI"],
     "quantity": {"value": 90e9, "unit": "USD", "approx": True}},
    {"id": "cloud-capex-300b", "statement": "Cloud providers' AI capex totals about $300 billion a year.",
     "speaker": "Jane Roe", "keywords": ["capex", "capital expenditure", "Microsoft", "Amazon", "Alphabet"],
     "quantity": {"value": 300e9, "unit": "USD", "per": "year", "approx": True}},
    {"id": "widget-arr-20b", "statement": "Widget's annualised revenue will reach $20 billion by the end of 2026.",
     "horizon": "by the end of 2026", "check_after": "2026-12-31",
     "keywords": ["annualized revenue", "ARR", "run-rate"], "entities": ["Anthropic"],
     "quantity": {"value": 20e9, "unit": "USD", "per": "year", "approx": True}},
    {"id": "rubin-h2", "statement": "NVIDIA's Vera Rubin platform will arrive in the second half of 2026.",
     "keywords": ["Vera Rubin", "Rubin"], "entities": ["NVIDIA"]},
    {"id": "rubin-cpx", "statement": "NVIDIA has announced CPX, a chip for long-context processing.",
     "keywords": ["Rubin CPX", "CPX", "long-context"], "entities": ["NVIDIA"]},
    {"id": "chip-export-ban", "statement": "US export controls bar NVIDIA from selling AI chips to China.",
     "keywords": ["export controls", "H20", "licence", "China"], "entities": ["NVIDIA"]},
    {"id": "beijing-bars-chips", "statement": "Chinese authorities are barring NVIDIA from selling AI chips in China.",
     "keywords": ["purchases", "Chinese customs", "海关"], "entities": ["NVIDIA"]},
    {"id": "acme-first-20t", "statement": "NVIDIA will be the first company to reach a $20 trillion market value.",
     "horizon": "no date given", "check_after": "2030-09-26",
     "keywords": ["market value", "market capitalization"], "entities": ["NVIDIA"],
     "quantity": {"value": 20e12, "unit": "USD"}},
])


def match_items(items: list[Item], claims: list) -> list[Verdict]:
    """What the rules alone conclude."""
    return Matcher(claims, model_path=None).match(items)


def stance(title: str, summary: str = "", claim: str = "acme-beta-investment",
           published: datetime | None = None) -> str:
    found = {v.claim_id: v for v in match_items([Item("i", title, summary=summary, published=published)], CLAIMS)}
    return found[claim].stance if claim in found else "unrelated"


def test_claimed_figure_named_as_the_missed_expectation_is_a_reference_not_a_confirmation():
    figures = extract_figures(normalise("Widget ends 2026 at $12 billion, well short of $20 billion forecasts"))
    assert [(f.text, f.role) for f in figures] == [("$12 billion", ""), ("$20 billion", "before")]


def test_hyphenated_units_and_percentage_ranges_are_read():
    assert [(f.value, f.unit) for f in extract_figures("let the 10-gigawatt letter lapse")] == [(10.0, "GW")]
    (span,) = extract_figures("could reach 6.7%-12% by 2028")
    assert (span.value, span.high, span.unit) == (6.7, 12.0, "%")


def test_figure_inside_a_condition_is_a_premise():
    (figure,) = extract_figures(normalise("if the lab fills all 10 gigawatts with its chips"))
    assert figure.role == "if"


@pytest.mark.parametrize(("text", "kind"), [
    ("Commerce revokes Nvidia H20 licences", "restrict"),
    ("Nvidia can no longer ship H20 chips to China", "restrict"),
    ("Trump says Nvidia can sell H200 chips to China", "release"),
    ("美国批准英伟达向中国出口芯片", "release"),
    ("The fee remains in effect for new petitions", "assert"),
])
def test_licence_and_sale_phrases_read_as_restriction_release_or_assertion(text, kind):
    assert [cue.kind for cue in find_cues(normalise(text))] == [kind]


def test_chinese_negation_does_not_reach_across_a_clause():
    cues = find_cues(normalise("意向书到期未续 合作规模缩水"))
    assert [(cue.text, cue.negated) for cue in cues] == [("到期未续", False), ("缩水", False)]


def test_claims_own_speaker_restating_it_is_no_evidence():
    assert stance("Roe: cloud AI capex now runs at $300 billion a year", claim="cloud-capex-300b") == "mentions"
    assert stance("Cloud AI capex hits $300 billion a year as Microsoft and Amazon spend",
                  claim="cloud-capex-300b") == "confirms"


def test_explainers_and_impact_stories_take_no_side():
    assert stance("Nvidia's $40 billion OpenAI investment: what it means for the AI race") == "mentions"
    assert stance("Startups cut hiring after Nvidia's $40 billion OpenAI investment",
                  "Founders say the stake changes the funding market.") == "mentions"


def test_one_companys_figure_is_a_component_not_a_refutation_of_the_aggregate():
    assert stance("Microsoft capex hits $35 billion in the quarter", claim="cloud-capex-300b") != "contradicts"
    assert stance("Cloud providers cut capex plans to $150 billion a year", claim="cloud-capex-300b") == "contradicts"


def test_figure_stating_one_claim_cannot_refute_its_neighbour():
    found = {v.claim_id: v.stance for v in match_items(
        [Item("i", "Nvidia's OpenAI investment and stake deal brings $90 billion of chip sales revenue")], CLAIMS)}
    assert found["acme-beta-revenue"] == "confirms"
    assert found["acme-beta-investment"] == "mentions"


def test_other_company_as_actor_does_not_revise_the_claimed_investment():
    assert stance("SoftBank sells its Nvidia stake for $5 billion to fund OpenAI investment") != "contradicts"
    assert stance("Nvidia cuts its OpenAI investment to $10 billion") == "contradicts"


def test_forecast_is_refuted_by_outcome_data_not_by_progress_before_it_falls_due():
    early = datetime(2025, 6, 1, tzinfo=timezone.utc)
    late = datetime(2027, 1, 10, tzinfo=timezone.utc)
    assert stance("Anthropic's run-rate revenue tops $5 billion", claim="widget-arr-20b", published=early) == "mentions"
    assert stance("Anthropic ends 2026 at $9 billion annualised revenue, short of $20 billion forecasts",
                  claim="widget-arr-20b", published=late) == "contradicts"


def test_claim_with_much_stronger_subject_evidence_takes_the_story():
    found = {v.claim_id: v for v in match_items([Item("i", "Nvidia unveils Rubin CPX")], CLAIMS)}
    assert found["rubin-cpx"].stance == "confirms"
    assert found["rubin-h2"].stance == "mentions"
    assert "rubin-cpx fits the story better" in found["rubin-h2"].why


def test_revoked_licences_confirm_a_ban_and_sales_deals_do_not():
    assert stance("Commerce revokes Nvidia H20 licences for China", claim="chip-export-ban") == "confirms"
    assert stance("Nvidia agrees to pay the US 15% of H20 revenue from China", claim="chip-export-ban") != "confirms"


def test_earlier_deal_recalled_as_background_is_no_news_about_it():
    background = ("Nvidia and OpenAI set up a joint AI lab in London",
                  "The lab comes three weeks after Nvidia signed its $40 billion investment in OpenAI.")
    assert stance(*background) == "mentions"
    assert stance("Nvidia signs its $40 billion investment in OpenAI") == "confirms"


def test_headline_figure_of_another_companys_deal_is_not_the_claims():
    assert stance("OpenAI's $40 billion Broadcom investment comes on top of Nvidia's") != "confirms"
    assert stance("Nvidia's $40 billion investment in OpenAI") == "confirms"


def test_first_tranche_of_the_claimed_amount_confirms_the_deal_is_proceeding():
    (figure,) = extract_figures(normalise("Nvidia makes its first $4 billion investment in OpenAI"))
    assert figure.role == "part"
    assert stance("Nvidia makes its first $4 billion investment in OpenAI") == "confirms"
    assert stance("Nvidia cuts its OpenAI investment to $4 billion") == "contradicts"


POLICY = parse_claims([
    {"id": "chip-rule", "statement": "US export controls bar NVIDIA from selling AI chips to China.",
     "keywords": ["export controls", "advanced computing", "China", "licence"], "entities": ["NVIDIA"],
     "watch": {"federal_register": {"agencies": ["industry-and-security-bureau"], "types": ["RULE"]}}},
])


def policy_stance(title: str, summary: str = "") -> str:
    found = {v.claim_id: v.stance for v in match_items([Item("i", title, summary=summary)], POLICY)}
    return found.get("chip-rule", "unrelated")


def test_agency_rule_stands_in_for_the_companies_a_policy_claim_names():
    rule = ("Export Controls on Advanced Computing Items", "Final rule. The Bureau of Industry and Security "
            "maintains licence requirements for advanced computing chips destined for China.")
    assert policy_stance(*rule) == "confirms"
    unnamed = ("Export Controls on Advanced Computing Items", "Final rule. The agency "
               "maintains licence requirements for advanced computing chips destined for China.")
    assert policy_stance(*unnamed) in ("mentions", "unrelated")  # no company and no known agency: nobody acts


def test_licence_requirement_is_a_restriction_and_case_by_case_review_a_release():
    assert [cue.kind for cue in find_cues(normalise("向中国出售先进AI芯片须获得许可证"))] == ["restrict"]
    assert [cue.kind for cue in find_cues(normalise("moves from a presumption of denial to case-by-case review"))] \
        == ["release"]


@pytest.mark.parametrize("text", ["Nvidia regains foothold in China as H200 shipments clear customs",
                                  "英伟达重返中国市场"])
def test_return_to_the_market_reads_as_lifting_a_ban(text):
    assert "release" in {cue.kind for cue in find_cues(normalise(text))}


ABSENCE = parse_claims([
    {"id": "guidance-no-china", "statement": "NVIDIA's financial guidance includes no revenue from China.",
     "keywords": ["guidance", "outlook", "China", "业绩指引", "中国"], "entities": ["NVIDIA"]},
])


def absence_stance(title: str, summary: str = "") -> str:
    found = {v.claim_id: v.stance for v in match_items([Item("i", title, summary=summary)], ABSENCE)}
    return found.get("guidance-no-china", "unrelated")


def test_claim_of_absence_is_confirmed_by_exclusion_and_refuted_by_inclusion():
    assert absence_stance("Nvidia's outlook excludes China as H20 orders never materialised") == "confirms"
    assert absence_stance("Nvidia adds $4 billion of China H200 sales to its outlook") == "contradicts"
    assert absence_stance("英伟达业绩指引重新计入中国销售") == "contradicts"


@pytest.mark.parametrize(("text", "kind", "negated"), [
    ("加州大学系统申请临时禁令被驳回", "restrict", True),
    ("judge says she won't expedite discovery", None, None),
    ("bill repealing the fee", "undo", False),
    ("Rubin Ultra pushed to 2028 as rack needs redesign", "undo", False),
    ("First Vera Rubin racks now shipping to customers", "assert", False),
    ("Vera Rubin量产延至2027年初", "assert", False),  # 量产 then 延至: the delay is read too (below)
    ("Nvidia's Kress says OpenAI stake still lacks a signed contract", "assert", True),
])
def test_refusals_repeals_delays_and_shipments_are_read(text, kind, negated):
    cues = find_cues(normalise(text))
    assert [(cue.kind, cue.negated) for cue in cues][:1] == ([(kind, negated)] if kind else [])


def test_proposed_bill_and_impact_story_take_no_side_on_the_fee():
    assert stance("Democrats introduce bill to cancel Nvidia's $40 billion OpenAI investment") != "contradicts"
    assert stance("Startups cut hiring as Nvidia's $40 billion OpenAI investment stake lands") == "mentions"


def test_a_lawsuit_filed_takes_no_side_until_a_court_rules():
    assert stance("Business group sues to block Nvidia's $40 billion OpenAI investment") == "mentions"
    assert stance("Shareholders file lawsuit challenging Nvidia's $40 billion OpenAI investment") == "mentions"
    assert stance("Court rejects challenge to Nvidia's $40 billion OpenAI investment") != "mentions"
    assert stance("Judge blocks Nvidia's $40 billion OpenAI investment in shareholder lawsuit") == "contradicts"


def test_a_second_instalment_is_progress_not_a_different_amount():
    assert stance("Nvidia completes second $4 billion investment in OpenAI") == "confirms"


BOUNDS = parse_claims([
    {"id": "token-cost-floor", "statement": "The cost of GPT-4-class tokens has fallen more than 100-fold.",
     "keywords": ["GPT-4-class", "per million tokens", "token price"], "quantity": {"value": 100, "unit": "x"}},
    {"id": "water-ceiling", "statement": "Data centres use less than 1% of US water.",
     "keywords": ["data centres", "water use", "water supply"], "quantity": {"value": 1, "unit": "%"}},
])


def bound_stance(title: str, claim: str) -> str:
    found = {v.claim_id: v.stance for v in match_items([Item("i", title)], BOUNDS)}
    return found.get(claim, "unrelated")


def test_figure_beyond_a_floor_or_within_a_ceiling_states_the_claim():
    assert bound_stance("GPT-4-class token price per million tokens fell 150-fold", "token-cost-floor") == "confirms"
    assert bound_stance("GPT-4-class token price per million tokens fell only 10-fold",
                        "token-cost-floor") == "contradicts"
    assert bound_stance("Data centres' water use reached 0.3% of the US water supply", "water-ceiling") == "confirms"
    assert bound_stance("Data centres' water use reached 4% of the US water supply", "water-ceiling") == "contradicts"


@pytest.mark.parametrize(("title", "summary"), [
    ("Nvidia 10-Q flags risk that $40 billion OpenAI investment agreement is not final", ""),
    ("NVIDIA 10-Q: OpenAI investment of up to $40 billion subject to definitive agreements",
     "Risk factors: the investment remains subject to the negotiation of definitive agreements."),
    ("NVIDIA 10-Q risk factors: investment in OpenAI",
     "We have agreed to invest up to $40 billion in OpenAI. The agreement is not final and there is no assurance "
     "that we will enter into definitive agreements."),
])
def test_filing_saying_a_deal_is_not_final_contradicts_rather_than_confirms_it(title, summary):
    assert stance(title, summary) == "contradicts"


def test_doubt_about_another_deal_of_the_same_companies_does_not_refute_the_claim():
    # The investment is not final; the revenue claim's own subject is not what the filing doubts.
    assert stance("NVIDIA and OpenAI investment deal is still not finalized",
                  "The companies said chip sales of $90 billion to OpenAI are under way.",
                  claim="acme-beta-revenue") != "contradicts"


@pytest.mark.parametrize("title", [
    "Nvidia's $40 billion Beta deal with OpenAI has yet to be signed, CFO says",
    "Nvidia has not yet signed its $40 billion investment agreement with OpenAI",
    "Nvidia and OpenAI $40 billion investment deal not yet signed, filing shows",
])
def test_a_deal_that_is_not_yet_signed_contradicts_rather_than_confirms(title: str) -> None:
    assert stance(title) == "contradicts"


def test_upper_end_of_a_range_keeps_the_role_of_its_lower_end():
    figures = extract_figures(normalise("about $26 billion, well under the $35 billion to $40 billion analysts had forecast"))
    assert [(f.text, f.role) for f in figures] == [
        ("$26 billion", ""), ("$35 billion", "before"), ("$40 billion", "before")]


def test_company_the_claim_names_by_keyword_can_revise_its_figure():
    # SoftBank is a keyword of the claim, not one of its entities: its pull-back still revises the capacity.
    claims = parse_claims([{
        "id": "campus-6gw", "statement": "Oracle and OpenAI will build some 5 to 7 gigawatts of capacity.",
        "keywords": ["SoftBank", "Stargate", "gigawatts"], "entities": ["Oracle", "OpenAI"],
        "quantity": {"value": 6, "unit": "GW", "approx": True, "tolerance": 0.2}}])
    item = Item("i", "SoftBank pulls back from Stargate sites",
                summary="SoftBank stopped funding two Stargate campuses, leaving about 3 gigawatts of Oracle capacity "
                        "for OpenAI instead of the 5 to 7 gigawatts planned.")
    assert [v.stance for v in match_items([item], claims)] == ["contradicts"]


def test_an_analysis_of_data_reports_a_measurement_rather_than_discussing():
    assert stance("Widget's run-rate reaches $12 billion", "An analysis of invoices puts Anthropic's annualized revenue "
                  "at $12 billion, well short of $20 billion forecasts.", claim="widget-arr-20b",
                  published=datetime(2027, 1, 10, tzinfo=timezone.utc)) == "contradicts"
    assert stance("Widget's run-rate reaches $12 billion", "An analysis: Anthropic's annualized revenue "
                  "at $12 billion, well short of $20 billion forecasts.", claim="widget-arr-20b",
                  published=datetime(2027, 1, 10, tzinfo=timezone.utc)) == "mentions"


@pytest.mark.parametrize(("text", "kind"), [
    ("on january 26, coreweave entered into a securities purchase agreement with nvidia", "assert"),
    ("nvidia purchased shares of class a common stock", "assert"),
    ("evidence of the $100,000 payment required for new h-1b petitions", "assert"),
    ("and direct the secretary to continue to deny petitions filed without payment", "assert"),
    ("licence applications would be reviewed under a presumption of denial", "restrict"),
    ("the chip will need a licence for china", "restrict"),
    ("通过马来西亚向中国转运英伟达芯片，违反美国出口管制规定", "restrict"),
    ("about $4 billion of h200 shipments under us licences", "release"),
    ("字节跳动成为全球第二大GPU租用方", "assert"),
])
def test_filing_register_and_chinese_fact_phrases_are_read(text, kind):
    assert [cue.kind for cue in find_cues(normalise(text))] == [kind]


def test_chinese_will_allow_is_a_decision_not_a_hedge():
    (cue,) = find_cues(normalise("美国将允许英伟达对华出口B40芯片"))
    assert (cue.kind, cue.hedged) == ("release", False)


def test_speaker_repeating_a_forecast_is_no_new_evidence_but_an_official_restating_a_ban_is():
    assert stance("Roe doubles down: Acme to invest $40 billion in Beta", "NVIDIA and OpenAI signed the investment.",
                  ) == "mentions"
    assert policy_stance("Commerce reiterates that NVIDIA chip sales to China require licences") == "confirms"


@pytest.mark.parametrize(("text", "kinds"), [
    ("china allows tech firms to buy nvidia h200 chips, lifting purchase freeze", ["release", "release"]),
    ("英伟达收入指引计入约40亿美元依许可证出货的H200", ["release"]),
    ("beijing gives bytedance go-ahead to import nvidia h200s, easing a freeze", ["release", "release"]),
])
def test_permission_to_buy_and_sales_under_licence_loosen_a_ban(text, kinds):
    assert [cue.kind for cue in find_cues(normalise(text))] == kinds


def test_a_conditional_headline_can_state_a_claim_that_is_itself_conditional():
    # The claim is the possibility ("could bring"); an analyst arriving at the same figure supports it.
    assert stance("Analysts say Nvidia's OpenAI deal could bring $90 billion in chip sales revenue",
                  claim="acme-beta-revenue") == "confirms"
    assert stance("Nvidia could invest $40 billion in OpenAI if talks succeed") == "mentions"


def test_what_a_deal_is_worth_is_its_size_but_a_company_worth_is_an_aside():
    worth = [(f.text, f.role) for f in extract_figures(normalise(
        "the pact could be worth $90 billion to Nvidia, a company worth $4 trillion"))]
    assert worth == [("$90 billion", ""), ("$4 trillion", "aside")]


def test_a_valuation_claim_reads_market_values_that_other_claims_set_aside():
    assert stance("Analysts see Nvidia as the first company set to reach a $20 trillion market value",
                  claim="acme-first-20t") == "confirms"
    assert stance("Nvidia, valued at $20 trillion, will invest $40 billion in OpenAI") != "contradicts"


def test_being_first_to_hit_a_lower_value_is_progress_not_a_refutation_of_the_forecast():
    assert stance("Nvidia becomes first company to hit $5 trillion market value", claim="acme-first-20t",
                  published=datetime(2025, 10, 29, tzinfo=timezone.utc)) == "mentions"


def test_a_company_the_claim_statement_names_is_one_of_its_own():
    claims = parse_claims([
        {"id": "colossus", "statement": "xAI's Colossus 2 will hold about 500,000 NVIDIA GB200-class GPUs.",
         "keywords": ["Colossus 2", "GPUs"], "entities": ["xAI"],
         "quantity": {"value": 500000, "unit": "GPUs", "approx": True}}])
    found = {v.claim_id: v.stance for v in match_items(
        [Item("i", "xAI's Colossus 2 now runs 500,000 GPUs made by Nvidia in one cluster")], claims)}
    assert found["colossus"] == "confirms"  # NVIDIA is named by the claim itself: the headline states it plainly


def test_a_story_sharing_much_of_a_claims_wording_is_put_to_the_calibrator_but_never_alerts_by_rules_alone():
    claims = parse_claims([
        {"id": "gpu-renter", "statement": "ByteDance is the world's second-largest renter of cloud GPUs.",
         "aliases": ["字节跳动是全球第二大GPU租用方"], "keywords": ["renter"], "entities": ["ByteDance"]},
        {"id": "other", "statement": "Walmart opens stores.", "keywords": ["stores"]}])
    item = Item("i", "字节跳动已成全球第二大GPU租用方")  # no keyword of the claim, but its own Chinese wording
    matcher = Matcher(claims, model_path=None)
    described = {claim_id: rule for claim_id, rule, *_ in matcher.describe_pairs(item)}
    assert described == {"gpu-renter": "unrelated"}  # a candidate for the calibrator, no stance from the rules
    assert matcher.match([item]) == []  # without the calibrator nothing is reported


@pytest.mark.parametrize(("text", "position_of", "government"), [
    ("China lifts curbs on Nvidia chip purchases after Trump-Xi summit", "lifts", "China"),
    ("US lets Nvidia sell H200 chips to China", "lets", "US"),
    ("China lets tech groups resume Nvidia purchases as Washington's H200 licences flow", "licences", "US"),
    ("US charges two Chinese nationals with smuggling Nvidia AI chips", "smuggling", "US"),
    ("Chinese customs told H200 chips are not permitted to enter", "permitted", "China"),
    ("Nvidia's China sales resume", "resume", None),
    ("海关通知H200芯片不得入境", "不得", "China"),
    ("知情人士：美国商务部批准H200对华出口", "批准", "US"),
    ("英伟达重返中国市场", "重返", None),
])
def test_the_government_acting_is_the_last_one_named_as_a_subject(text, position_of, government):
    sentence = normalise(text)
    assert acting_government(sentence, sentence.index(normalise(position_of))) == government


@pytest.mark.parametrize(("title", "us_ban", "beijing_ban"), [
    ("China lifts curbs on Nvidia chip purchases", "mentions", "contradicts"),
    ("US lifts curbs on Nvidia chip sales to China", "contradicts", "unrelated"),
    ("Chinese customs block Nvidia H20 purchases", "mentions", "confirms"),
    ("US blocks Nvidia H20 sales to China under export controls", "confirms", "unrelated"),
])
def test_a_restriction_claim_reads_only_its_own_governments_cues(title, us_ban, beijing_ban):
    assert stance(title, claim="chip-export-ban") == us_ban
    assert stance(title, claim="beijing-bars-chips") == beijing_ban


def test_why_says_a_cue_was_another_governments():
    verdicts = {v.claim_id: v for v in match_items([Item("i", "China lifts curbs on Nvidia chip purchases")], CLAIMS)}
    assert "not the US acting: 'lifts'" in verdicts["chip-export-ban"].why


def test_mass_production_put_back_to_a_later_year_is_a_delay():
    assert [cue.kind for cue in find_cues(normalise("Vera Rubin量产延至2027年初"))] == ["assert", "undo"]


# Two terms of one agreement: the build-out and the investment paid per gigawatt (`Claim.linked`).
_BUILD = {"id": "beta-build-10gw", "statement": "Beta will deploy 10 gigawatts of Acme systems.",
          "keywords": ["gigawatt", "letter of intent", "deployment"], "entities": ["NVIDIA", "OpenAI"],
          "quantity": {"value": 10, "unit": "GW"}}
_INVESTMENT = {"id": "acme-beta-stake", "statement": "Acme will invest up to $100 billion in Beta.",
               "keywords": ["investment", "stake", "tranche"], "entities": ["NVIDIA", "OpenAI"],
               "quantity": {"value": 100e9, "unit": "USD", "approx": True}}
LINKED = parse_claims([_BUILD, {**_INVESTMENT, "linked": ["beta-build-10gw"]}])
UNLINKED = parse_claims([_BUILD, _INVESTMENT])


def linked_verdicts(title: str, summary: str = "", claims: list = LINKED) -> dict[str, Verdict]:
    return {v.claim_id: v for v in match_items([Item("i", title, summary=summary)], claims)}


def test_an_agreement_let_lapse_contradicts_each_claim_linked_to_it():
    title = "OpenAI and Nvidia let 10-gigawatt letter of intent lapse"
    found = linked_verdicts(title)
    assert (found["beta-build-10gw"].stance, found["acme-beta-stake"].stance) == ("contradicts", "contradicts")
    assert "the agreement behind beta-build-10gw: cue 'lapse'" in found["acme-beta-stake"].why
    assert "acme-beta-stake" not in linked_verdicts(title, claims=UNLINKED)  # the link, not the words, carries it


def test_a_link_declared_on_one_claim_carries_both_ways():
    found = linked_verdicts("Nvidia makes first $10 billion investment in OpenAI as definitive deal is signed")
    assert (found["acme-beta-stake"].stance, found["beta-build-10gw"].stance) == ("confirms", "confirms")
    assert "the agreement behind acme-beta-stake" in found["beta-build-10gw"].why


@pytest.mark.parametrize(("title", "summary"), [
    # a denial, and an agreement said to stand, speak only to the claim they name
    ("Nvidia denies report that its OpenAI gigawatt deployment has been cancelled",
     "Nvidia said the letter of intent remains in place and that it is committed to the 10-gigawatt deployment."),
    # the agreement as a condition
    ("Nvidia's OpenAI investment to start with a $10 billion tranche",
     "Nvidia will make the investment once the two sign a definitive agreement."),
    # another company's agreement
    ("OpenAI's 10-gigawatt Nvidia deployment stands", "OpenAI signed a separate cloud contract with Amazon."),
    # a deal not yet final
    ("Nvidia 10-K: no assurance the OpenAI letter of intent results in a definitive agreement for the investment", ""),
])
def test_only_news_of_the_agreement_itself_carries_to_a_linked_claim(title, summary):
    found = linked_verdicts(title, summary)
    assert not any("the agreement behind" in verdict.why for verdict in found.values())


def test_a_linked_claim_keeps_its_own_reading_of_the_story():
    found = linked_verdicts("Nvidia and OpenAI sign definitive deal for 10 gigawatts",
                            "Nvidia's stake in OpenAI will be $30 billion, not the $100 billion first planned.")
    assert (found["beta-build-10gw"].stance, found["acme-beta-stake"].stance) == ("confirms", "contradicts")
    assert "the agreement behind" not in found["acme-beta-stake"].why


# A forecast of a product's arrival beside a bigger deal that uses the product.
ARRIVAL = parse_claims([
    {"id": "rubin-arrives-h2", "statement": "NVIDIA's Vera Rubin platform will arrive in the second half of 2026.",
     "horizon": "second half of 2026", "keywords": ["Vera Rubin", "Rubin"], "entities": ["NVIDIA"]},
    {**_BUILD, "keywords": [*_BUILD["keywords"], "Vera Rubin", "吉瓦", "意向书"]},
])


@pytest.mark.parametrize(("title", "summary", "expected"), [
    ("OpenAI switches on first gigawatt of Nvidia Vera Rubin systems", "", "confirms"),
    ("OpenAI首个吉瓦英伟达Vera Rubin系统上线", "", "confirms"),
    # signing for the systems is the deal's news, not the product's arrival
    ("OpenAI and Nvidia sign definitive agreement for first gigawatt of Vera Rubin systems", "", "mentions"),
    # the forecast repeated
    ("英伟达与OpenAI签署合作意向书", "OpenAI将部署10吉瓦英伟达系统，首批系统预计2026年下半年基于Vera Rubin平台上线。",
     "mentions"),
])
def test_a_forecast_arrival_confirms_it_whatever_larger_story_it_is_part_of(title, summary, expected):
    found = {v.claim_id: v for v in match_items([Item("i", title, summary=summary)], ARRIVAL)}
    assert found["rubin-arrives-h2"].stance == expected
