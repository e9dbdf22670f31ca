"""Capex from XBRL companyconcept facts: YTD to quarters, fiscal to calendar, sums across hyperscalers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx

from claimwatch.replay import ReplayServer
from claimwatch.settings import Settings
from sources.ratelimit import RateLimiter
from sources.xbrl import (
    calendar_quarter,
    calendar_year_total,
    capex_evidence,
    capex_items,
    fetch_capex_facts,
    quarterly_capex,
    trailing_four_quarters,
)

FIXTURES = Path(__file__).parent / "fixtures" / "edgar"
CONCEPTS = FIXTURES / "api" / "xbrl" / "companyconcept"
HYPERSCALERS = ["0000789019", "0001652044", "0001018724", "0001326801"]
B = 1_000_000  # fixture values are whole millions


def load(cik: str, concept: str = "PaymentsToAcquirePropertyPlantAndEquipment") -> dict:
    return json.loads((CONCEPTS / f"CIK{cik}" / "us-gaap" / f"{concept}.json").read_text())


def test_microsoft_year_to_date_values_become_calendar_quarters():
    facts = {f.calendar_label: f for f in quarterly_capex(load("0000789019"))}
    # FY2025 runs July 2024 - June 2025: fiscal Q1 is calendar Q3 2024.
    q = facts["2024Q3"]
    assert (q.fiscal_year, q.fiscal_quarter, q.value, q.derived) == (2025, 1, 14_923 * B, False)
    assert facts["2024Q4"].value == (30_727 - 14_923) * B  # H1 - Q1
    assert facts["2025Q1"].value == (47_472 - 30_727) * B  # 9M - H1
    assert facts["2025Q2"].value == (64_551 - 47_472) * B  # FY - 9M, from the 10-K
    assert facts["2025Q2"].form == "10-K" and facts["2025Q2"].fiscal_quarter == 4
    assert facts["2025Q2"].start == date(2025, 4, 1) and facts["2025Q2"].end == date(2025, 6, 30)
    assert (facts["2025Q3"].fiscal_year, facts["2025Q3"].fiscal_quarter) == (2026, 1)
    assert facts["2024Q1"].value == (30_604 - 19_652) * B


def test_restated_value_from_a_later_filing_wins():
    facts = {f.calendar_label: f for f in quarterly_capex(load("0001652044"))}
    assert facts["2024Q1"].value == 12_100 * B  # restated in the 2025 Q1 10-Q
    assert facts["2024Q1"].accession == "0001652044-25-000043"
    assert facts["2024Q2"].value == (25_198 - 12_100) * B


def test_comparatives_under_the_filings_fy_fp_do_not_create_extra_quarters():
    facts = quarterly_capex(load("0000789019"))
    labels = [f.calendar_label for f in facts]
    assert len(labels) == len(set(labels))
    assert labels == ["2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3"]


def test_quarter_ending_early_in_the_next_month_stays_in_its_calendar_quarter():
    assert calendar_quarter(date(2025, 1, 4)) == (2024, 4)  # a 53-week year's Q4
    assert calendar_quarter(date(2025, 10, 26)) == (2025, 3)  # NVIDIA's fiscal Q3 FY2026
    assert calendar_quarter(date(2025, 6, 30)) == (2025, 2)


def facts_by_company() -> dict:
    return {
        "Microsoft": quarterly_capex(load("0000789019")),
        "Alphabet": quarterly_capex(load("0001652044")),
        "Amazon": quarterly_capex(load("0001018724", "PaymentsToAcquireProductiveAssets")),
        "Meta": quarterly_capex(load("0001326801")),
    }


def test_trailing_four_quarters_sum_across_hyperscalers():
    total = trailing_four_quarters(facts_by_company())
    assert total.label == "TTM to 2025Q3"
    assert total.quarters == ("2024Q4", "2025Q1", "2025Q2", "2025Q3")
    assert dict(total.by_company) == {
        "Microsoft": 69_022 * B,
        "Alphabet": 77_872 * B,
        "Amazon": 120_131 * B,
        "Meta": 62_733 * B,
    }
    assert total.value == 329_758 * B and total.complete


def test_calendar_year_sum_uses_microsofts_fiscal_quarters_by_end_date():
    total = calendar_year_total(facts_by_company(), 2024)
    assert dict(total.by_company)["Microsoft"] == (10_952 + 13_873 + 14_923 + 15_804) * B
    assert total.value == 228_342 * B and total.complete
    assert not calendar_year_total(facts_by_company(), 2025).complete  # Q4 2025 not reported yet


def test_capex_evidence_contradicts_a_500b_claim_and_confirms_a_close_figure():
    facts = facts_by_company()
    total, stance = capex_evidence(facts, 500e9, 0.2)
    assert total.value == 329_758 * B and stance == "contradicts"
    assert capex_evidence(facts, 340e9, 0.05)[1] == "confirms"
    partial = dict(facts, Amazon=[f for f in facts["Amazon"] if f.calendar_label != "2025Q1"])
    total, stance = capex_evidence(partial, 330e9, 0.2)
    assert stance == "mentions" and total.missing == ("Amazon 2025Q1",)  # a partial sum proves nothing


def test_capex_items_carry_the_number_and_a_readable_title():
    items = {dict(i.extra)["calendar_quarter"]: i for i in capex_items({"Microsoft": quarterly_capex(load("0000789019"))})}
    item = items["2025Q3"]
    assert item.title == "Microsoft capex Q3 2025: $19.4B (10-Q)"
    extra = dict(item.extra)
    assert extra["value"] == str(19_394 * B) and extra["unit"] == "USD" and extra["fiscal_period"] == "FY2026Q1"
    assert item.url.endswith("/Archives/edgar/data/789019/000119312525256321/0001193125-25-256321-index.htm")


async def test_each_company_is_read_from_its_own_capex_concept():
    with ReplayServer(FIXTURES) as server:
        settings = Settings(contact_email="ops@claimwatch.example", sec_data_base=server.base_url)
        async with httpx.AsyncClient() as client:
            facts = await fetch_capex_facts(client, HYPERSCALERS, settings=settings,
                                            limiter=RateLimiter(200, name="test SEC"))
        paths = [r.path for r in server.requests]
    assert sorted(facts) == ["Alphabet", "Amazon", "Meta", "Microsoft"]
    assert "/api/xbrl/companyconcept/CIK0001018724/us-gaap/PaymentsToAcquireProductiveAssets.json" in paths
    assert facts["Amazon"][-1].concept == "PaymentsToAcquireProductiveAssets"
    assert trailing_four_quarters(facts).value == 329_758 * B
