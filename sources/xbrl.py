"""Hyperscaler capex from SEC XBRL companyconcept facts, as quarterly numbers and numeric evidence.

Cash-flow statements are reported year-to-date, so a 10-Q for the second quarter carries
six months of capex, not three: quarters are recovered by differencing (Q2 = H1 - Q1,
Q3 = 9M - H1, Q4 = FY - 9M). The `fy`/`fp` fields of a fact describe the filing that
reported it, not the period (a 10-Q repeats last year's comparatives under this year's
fy/fp), so periods are read from `start`/`end` only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx

from matchers.quantities import APPROX_TOLERANCE, DEFAULT_TOLERANCE, canonical_unit
from matchers.verdict import Stance, Verdict
from seeds.registry import Claim
from sources.edgar import SEC_CANONICAL, _load_json, cik10, cik_int, fetch_sec
from sources.errors import SourceError
from sources.item import Item, item_id_for
from sources.ratelimit import RateLimiter

SOURCE_ID = "sec-xbrl"
CAPEX_CONCEPT = "PaymentsToAcquirePropertyPlantAndEquipment"
# Amazon reports "Purchases of property and equipment" under PaymentsToAcquireProductiveAssets;
# Microsoft, Alphabet and Meta use PaymentsToAcquirePropertyPlantAndEquipment.
CONCEPT_OVERRIDES: dict[int, str] = {1018724: "PaymentsToAcquireProductiveAssets"}
COMPANY_NAMES: dict[int, str] = {789019: "Microsoft", 1652044: "Alphabet", 1018724: "Amazon", 1326801: "Meta"}
# Every concept that holds a company's capex: a claim watching one of these is a capex claim.
CAPEX_CONCEPTS: frozenset[str] = frozenset({CAPEX_CONCEPT, *CONCEPT_OVERRIDES.values()})
SUMMARY_SOURCE_ID = "xbrl-capex"


@dataclass(frozen=True, slots=True)
class CapexFact:
    """One company's capital expenditure for one fiscal quarter, placed in a calendar quarter."""

    company: str
    cik: int
    concept: str
    start: date
    end: date
    value: int  # USD
    fiscal_year: int  # the year the company's fiscal year ends in (Microsoft FY2026 ends June 2026)
    fiscal_quarter: int
    calendar_year: int
    calendar_quarter: int
    form: str  # the filing the (cumulative) number came from
    accession: str
    filed: date
    derived: bool  # True when computed by differencing year-to-date values

    @property
    def calendar_label(self) -> str:
        """"2025Q3"."""
        return f"{self.calendar_year}Q{self.calendar_quarter}"

    def to_item(self) -> Item:
        """This fact as an Item whose `extra` carries the number, for numeric evidence."""
        accession_path = self.accession.replace("-", "")
        url = f"{SEC_CANONICAL}/Archives/edgar/data/{self.cik}/{accession_path}/{self.accession}-index.htm"
        title = (
            f"{self.company} capex Q{self.calendar_quarter} {self.calendar_year}: "
            f"${self.value / 1e9:.1f}B ({self.form})"
        )
        how = "derived from year-to-date figures" if self.derived else "as reported"
        summary = (
            f"{self.company} capital expenditure ({self.concept}) for fiscal Q{self.fiscal_quarter} "
            f"FY{self.fiscal_year}, {self.start.isoformat()} to {self.end.isoformat()}: "
            f"{self.value:,} USD, {how}; filed {self.filed.isoformat()} in {self.form} {self.accession}."
        )
        return Item(
            id=item_id_for("", guid=f"xbrl:{self.cik}:{self.concept}:{self.start}:{self.end}:{self.accession}"),
            title=title,
            url=url,
            summary=summary,
            published=None,
            source=SOURCE_ID,
            publisher=self.company,
            extra=(
                ("metric", "capex"),
                ("value", str(self.value)),
                ("unit", "USD"),
                ("per", "quarter"),
                ("company", self.company),
                ("cik", str(self.cik)),
                ("concept", self.concept),
                ("calendar_quarter", self.calendar_label),
                ("fiscal_period", f"FY{self.fiscal_year}Q{self.fiscal_quarter}"),
                ("period_start", self.start.isoformat()),
                ("period_end", self.end.isoformat()),
                ("form", self.form),
                ("accession", self.accession),
                ("filed", self.filed.isoformat()),
                ("derived", "true" if self.derived else "false"),
            ),
        )


@dataclass(frozen=True, slots=True)
class CapexTotal:
    """A sum of quarterly capex across companies over a set of calendar quarters."""

    label: str  # "TTM to 2025Q3" or "CY2024"
    quarters: tuple[str, ...]  # calendar quarters summed, oldest first
    value: int
    by_company: tuple[tuple[str, int], ...]
    missing: tuple[str, ...]  # "Amazon 2025Q3" for every company-quarter with no number

    @property
    def complete(self) -> bool:
        """True when every company reported every quarter summed."""
        return not self.missing


def calendar_quarter(end: date) -> tuple[int, int]:
    """The calendar (year, quarter) a fiscal quarter ending on `end` belongs to.

    Read from the period end, shifted back half a quarter, so 52/53-week calendars whose
    quarter ends a few days into the next month (e.g. 2025-01-04) stay in the right quarter.
    """
    middle = end - timedelta(days=45)
    return middle.year, (middle.month - 1) // 3 + 1


def _months(start: date, end: date) -> int:
    """Length of a duration fact in whole months (3, 6, 9, 12), rounding 52/53-week periods."""
    return round(((end - start).days + 1) / 30.44)


def _facts(data: Any) -> list[dict[str, Any]]:
    try:
        units = data["units"]["USD"]
    except (KeyError, TypeError):
        raise SourceError("malformed", "companyconcept JSON has no units.USD facts", source_id=SOURCE_ID)
    return [fact for fact in units if isinstance(fact, dict) and fact.get("start") and fact.get("end")]


def quarterly_capex(data: Any, *, company: str = "") -> list[CapexFact]:
    """Quarterly capex from a companyconcept document: restatements resolved, YTD differenced, oldest first."""
    cik = cik_int(data.get("cik", 0))
    concept = str(data.get("tag", CAPEX_CONCEPT))
    name = company or COMPANY_NAMES.get(cik) or str(data.get("entityName", f"CIK {cik}")).title()
    # One value per period: the latest filing wins (restated values replace the originals).
    latest: dict[tuple[date, date], dict[str, Any]] = {}
    for fact in _facts(data):
        try:
            period = (date.fromisoformat(fact["start"]), date.fromisoformat(fact["end"]))
        except ValueError:
            continue
        if _months(*period) not in (3, 6, 9, 12):
            continue
        kept = latest.get(period)
        if kept is None or (str(fact.get("filed", "")), str(fact.get("accn", ""))) > (
            str(kept.get("filed", "")),
            str(kept.get("accn", "")),
        ):
            latest[period] = fact
    # Cumulative periods of one fiscal year share its start date.
    by_start: dict[date, dict[int, tuple[date, dict[str, Any]]]] = {}
    for (start, end), fact in latest.items():
        by_start.setdefault(start, {})[_months(start, end)] = (end, fact)
    year_starts = sorted(start for start, cumulative in by_start.items() if set(cumulative) - {3})
    quarters: dict[tuple[date, date], CapexFact] = {}
    for fiscal_start, cumulative in by_start.items():
        # A lone three-month fact may be a later quarter reported on its own: place it in the
        # fiscal year that began most recently before it.
        first_quarter = 1
        if set(cumulative) == {3}:
            earlier = [start for start in year_starts if start <= fiscal_start]
            if earlier and _months(earlier[-1], fiscal_start) < 12:
                first_quarter = _months(earlier[-1], fiscal_start) // 3 + 1
        year_start = fiscal_start if first_quarter == 1 else earlier[-1]
        fiscal_year = (year_start + timedelta(days=360)).year
        previous_end: date | None = None
        previous_value = 0
        for months in (3, 6, 9, 12):
            if months not in cumulative:
                break  # cannot difference across a gap
            end, fact = cumulative[months]
            value = int(fact["val"]) - previous_value
            start = fiscal_start if previous_end is None else previous_end + timedelta(days=1)
            year, quarter = calendar_quarter(end)
            quarters[(start, end)] = CapexFact(
                company=name,
                cik=cik,
                concept=concept,
                start=start,
                end=end,
                value=value,
                fiscal_year=fiscal_year,
                fiscal_quarter=months // 3 + first_quarter - 1,
                calendar_year=year,
                calendar_quarter=quarter,
                form=str(fact.get("form", "")),
                accession=str(fact.get("accn", "")),
                filed=date.fromisoformat(str(fact.get("filed", end.isoformat()))),
                derived=months > 3,
            )
            previous_end, previous_value = end, int(fact["val"])
    return sorted(quarters.values(), key=lambda fact: fact.end)


def _by_calendar_quarter(facts: Iterable[CapexFact]) -> dict[str, CapexFact]:
    table: dict[str, CapexFact] = {}
    for fact in facts:
        kept = table.get(fact.calendar_label)
        if kept is None or fact.filed > kept.filed:
            table[fact.calendar_label] = fact
    return table


def _sum(label: str, quarters: Sequence[str], facts_by_company: Mapping[str, Sequence[CapexFact]]) -> CapexTotal:
    by_company = []
    missing = []
    for company, facts in facts_by_company.items():
        table = _by_calendar_quarter(facts)
        missing += [f"{company} {quarter}" for quarter in quarters if quarter not in table]
        by_company.append((company, sum(table[quarter].value for quarter in quarters if quarter in table)))
    return CapexTotal(label, tuple(quarters), sum(value for _, value in by_company), tuple(by_company), tuple(missing))


def trailing_four_quarters(facts_by_company: Mapping[str, Sequence[CapexFact]]) -> CapexTotal:
    """Capex over the last four calendar quarters that every company has reported, summed across companies."""
    latest_each = [max((f.calendar_year, f.calendar_quarter) for f in facts) for facts in facts_by_company.values() if facts]
    if not latest_each:
        return CapexTotal("TTM", (), 0, (), ("no capex facts",))
    year, quarter = min(latest_each)
    quarters = []
    for _ in range(4):
        quarters.append(f"{year}Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    quarters.reverse()
    return _sum(f"TTM to {quarters[-1]}", quarters, facts_by_company)


def calendar_year_total(facts_by_company: Mapping[str, Sequence[CapexFact]], year: int) -> CapexTotal:
    """Capex over calendar quarters Q1-Q4 of `year`, summed across companies."""
    return _sum(f"CY{year}", [f"{year}Q{q}" for q in range(1, 5)], facts_by_company)


def capex_evidence(
    facts_by_company: Mapping[str, Sequence[CapexFact]], claim_value: float, tolerance: float
) -> tuple[CapexTotal, Stance]:
    """The trailing-four-quarter total and whether it confirms a claimed annual figure within `tolerance`."""
    total = trailing_four_quarters(facts_by_company)
    if not total.complete or claim_value <= 0:
        return total, "mentions"  # a partial sum proves nothing about the claim
    off = abs(total.value - claim_value) / claim_value
    return total, "confirms" if off <= tolerance else "contradicts"


def capex_items(facts_by_company: Mapping[str, Sequence[CapexFact]]) -> list[Item]:
    """One Item per company-quarter, for the matcher and the store."""
    return [fact.to_item() for facts in facts_by_company.values() for fact in facts]


def _billions(value: float) -> str:
    return f"${value / 1e9:,.1f}B"


def capex_summary_item(total: CapexTotal, facts_by_company: Mapping[str, Sequence[CapexFact]]) -> Item:
    """The cross-company trailing-four-quarter total as one Item ("Hyperscaler capex, four quarters to 2025Q3: …")."""
    companies = ", ".join(company for company, _ in total.by_company)
    last = total.quarters[-1] if total.quarters else "?"
    title = f"Hyperscaler capex, four quarters to {last}: {_billions(total.value)} ({companies})"
    if total.missing:
        title += f"; missing {', '.join(total.missing)}"
    lines = [f"Capital expenditure from SEC XBRL filings over {', '.join(total.quarters)} (calendar quarters):"]
    summed = [
        fact
        for facts in facts_by_company.values()
        for fact in _by_calendar_quarter(facts).values()
        if fact.calendar_label in total.quarters
    ]
    for company, value in total.by_company:
        quarters = sorted((f for f in summed if f.company == company), key=lambda f: f.end)
        detail = ", ".join(f"{f.calendar_label} {_billions(f.value)}" for f in quarters)
        lines.append(f"{company}: {_billions(value)} ({detail})")
    if total.missing:
        lines.append(f"Not yet reported: {', '.join(total.missing)}.")
    latest = max((fact.filed for fact in summed), default=None)
    return Item(
        # Keyed on the figures: the same total read again is the same item, a restated one is new.
        id=item_id_for("", guid=f"{SUMMARY_SOURCE_ID}:{total.label}:{total.value}:{companies}:{','.join(total.missing)}"),
        title=title,
        summary="\n".join(lines),
        published=datetime(latest.year, latest.month, latest.day, tzinfo=timezone.utc) if latest else None,
        source=SUMMARY_SOURCE_ID,
        publisher="SEC XBRL",
        extra=(
            ("metric", "capex"),
            ("value", str(total.value)),
            ("unit", "USD"),
            ("per", "four quarters"),
            ("quarters", ",".join(total.quarters)),
            ("companies", companies),
            ("missing", ", ".join(total.missing)),
        ),
    )


def capex_claim_tolerance(claim: Claim) -> float:
    """The relative tolerance a claim's figure allows (its own, or the matcher's default for approx/exact claims)."""
    quantity = claim.quantity
    if quantity is None:
        return DEFAULT_TOLERANCE
    if quantity.tolerance is not None:
        return quantity.tolerance
    return APPROX_TOLERANCE if quantity.approx else DEFAULT_TOLERANCE


def capex_verdicts(
    facts_by_company: Mapping[str, Sequence[CapexFact]], claims: Iterable[Claim], item: Item
) -> list[Verdict]:
    """Numeric verdicts of the trailing-four-quarter total (`item`) on each claim stating USD per year."""
    verdicts = []
    for claim in claims:
        quantity = claim.quantity
        if quantity is None or quantity.per != "year" or canonical_unit(quantity.unit)[0] != "USD":
            continue
        tolerance = capex_claim_tolerance(claim)
        claimed = quantity.value * canonical_unit(quantity.unit)[1]
        total, stance = capex_evidence(facts_by_company, claimed, tolerance)
        if not total.quarters:
            continue  # no company reported anything: there is no figure to compare
        parts = ", ".join(f"{company} {_billions(value)}" for company, value in total.by_company)
        figure = f"four quarters {total.quarters[0]}-{total.quarters[-1]} total {_billions(total.value)} ({parts})"
        if stance == "mentions":
            why = (f"{figure}; incomplete, missing {', '.join(total.missing)}: a partial sum cannot be compared "
                   f"with the claimed {_billions(claimed)} a year")
        else:
            off = (total.value - claimed) / claimed
            direction = "above" if off > 0 else "below"
            where = "within" if stance == "confirms" else "outside"
            why = (f"{figure} vs claimed {_billions(claimed)} a year: {abs(off):.0%} {direction}, "
                   f"{where} the ±{tolerance:.0%} tolerance")
        score = 1.0 if stance != "mentions" else 0.5
        # One story per quarter: re-reading the same quarter (or a restatement with the same
        # stance) does not alert twice; the next quarter's total is a new story.
        verdicts.append(Verdict(item.id, claim.id, stance, score, why, story_id=f"{SUMMARY_SOURCE_ID}:{total.quarters[-1]}"))
    return verdicts


async def fetch_company_concept(
    client: httpx.AsyncClient,
    cik: str | int,
    concept: str,
    *,
    settings: Any,
    taxonomy: str = "us-gaap",
    limiter: RateLimiter | None = None,
) -> Any:
    """The companyconcept JSON document for one company and XBRL concept."""
    url = f"{settings.sec_data_base.rstrip('/')}/api/xbrl/companyconcept/CIK{cik10(cik)}/{taxonomy}/{concept}.json"
    return _load_json(await fetch_sec(client, url, settings=settings, limiter=limiter), "XBRL companyconcept")


async def fetch_capex_facts(
    client: httpx.AsyncClient,
    ciks: Iterable[str | int],
    *,
    settings: Any,
    concept: str = CAPEX_CONCEPT,
    overrides: Mapping[int, str] | None = None,
    limiter: RateLimiter | None = None,
) -> dict[str, list[CapexFact]]:
    """Quarterly capex per company name, each company read from its own capex concept."""
    overrides = CONCEPT_OVERRIDES if overrides is None else overrides
    result: dict[str, list[CapexFact]] = {}
    for cik in ciks:
        number = cik_int(cik)
        data = await fetch_company_concept(
            client, number, overrides.get(number, concept), settings=settings, limiter=limiter
        )
        facts = quarterly_capex(data)
        if facts:
            result[facts[0].company] = facts
    return result
