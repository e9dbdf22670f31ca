"""Which searches cover which claims, over which date chunks: backfill and filings planning.

Plain functions, no Prefect: the jobs come from the claim registry's `watch` sections (one per
distinct EDGAR full-text query, one per distinct Federal Register condition set and, on request,
one per company CIK), and a date range is cut into chunks that can be run and resumed one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from seeds import Claim, active_claims
from sources.edgar import cik10

JobKind = Literal["edgar-search", "federal-register", "edgar-filings"]
SOURCE_KINDS: tuple[str, ...] = ("edgar-search", "federal-register", "edgar-filings")
# edgar-filings reads a company's submissions listing, which only holds its ~1,000 most recent
# filings: not a true date-range search, so it runs only when asked for (--source edgar-filings).
DEFAULT_SOURCE_KINDS: tuple[str, ...] = ("edgar-search", "federal-register")

class BackfillConfigError(ValueError):
    """A backfill asked for something that cannot run: an inverted range, an unknown claim or source kind."""


# -- jobs and chunks ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackfillJob:
    """One search to replay over the range; `key` names it in checkpoints, logs and the dashboard."""

    kind: JobKind
    key: str
    claim_ids: tuple[str, ...]
    query: str = ""  # edgar-search: the full-text phrase
    forms: tuple[str, ...] = ()  # edgar-search / edgar-filings
    term: str = ""  # federal-register: the claim's terms joined with the API's OR operator
    agencies: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    cik: str = ""  # edgar-filings


@dataclass(frozen=True, slots=True)
class Chunk:
    """A slice of the backfill range, first and last day inclusive (UTC calendar days)."""

    since: date
    until: date


def select_source_kinds(sources: Sequence[str] | None) -> tuple[str, ...]:
    """The job kinds to run: the given ones (validated) or every kind that searches by date range."""
    if not sources:
        return DEFAULT_SOURCE_KINDS
    unknown = sorted(set(sources) - set(SOURCE_KINDS))
    if unknown:
        raise BackfillConfigError(
            f"unknown backfill source {', '.join(unknown)}: choose from {', '.join(SOURCE_KINDS)}"
        )
    return tuple(kind for kind in SOURCE_KINDS if kind in sources)


def select_claims(claims: Sequence[Claim], wanted: Sequence[str] | None) -> list[Claim]:
    """The active claims to backfill: all of them, or those named (an unknown id is an error)."""
    active = active_claims(claims)
    if not wanted:
        return active
    by_id = {claim.id: claim for claim in active}
    unknown = sorted(set(wanted) - set(by_id))
    if unknown:
        raise BackfillConfigError(f"no active claim {', '.join(unknown)} in the registry (see `claimwatch claims list`)")
    return [by_id[claim_id] for claim_id in dict.fromkeys(wanted)]


def _fr_term(terms: Sequence[str]) -> str:
    # The Federal Register search takes one term; '|' is its OR operator and quotes keep phrases whole.
    if len(terms) == 1:
        return terms[0]
    return " | ".join(f'"{term}"' if " " in term else term for term in terms)


def plan_jobs(claims: Sequence[Claim], kinds: Sequence[str] = DEFAULT_SOURCE_KINDS) -> list[BackfillJob]:
    """Derive the backfill jobs from the claims' `watch` sections, one per distinct search."""
    searches: dict[str, tuple[list[str], list[str]]] = {}  # query -> (forms, claim ids)
    registers: dict[tuple[tuple[str, ...], str, tuple[str, ...]], list[str]] = {}
    companies: dict[str, tuple[list[str], list[str]]] = {}  # cik10 -> (forms, claim ids)
    for claim in claims:
        edgar, register = claim.watch.edgar, claim.watch.federal_register
        if edgar and edgar.query.strip():
            forms, ids = searches.setdefault(edgar.query.strip(), ([], []))
            forms.extend(form for form in edgar.forms if form not in forms)
            ids.append(claim.id)
        if edgar:
            for company in edgar.companies:
                if company.strip().isdigit():  # names are for the live monitor's lookup, not for backfills
                    forms, ids = companies.setdefault(cik10(company), ([], []))
                    forms.extend(form for form in edgar.forms if form not in forms)
                    ids.append(claim.id)
        if register and (register.terms or register.agencies):
            condition = (tuple(sorted(register.agencies)), _fr_term(register.terms), tuple(sorted(register.types)))
            registers.setdefault(condition, []).append(claim.id)

    jobs: list[BackfillJob] = []
    if "edgar-search" in kinds:
        for query, (forms, ids) in searches.items():
            key = f'edgar-search:"{query}" {",".join(forms)}'.rstrip()
            jobs.append(BackfillJob("edgar-search", key, tuple(ids), query=query, forms=tuple(forms)))
    if "federal-register" in kinds:
        for (agencies, term, types), ids in registers.items():
            key = f"federal-register:{term} agencies={','.join(agencies)} types={','.join(types)}"
            jobs.append(
                BackfillJob("federal-register", key, tuple(ids), term=term, agencies=agencies, types=types)
            )
    if "edgar-filings" in kinds:
        for cik, (forms, ids) in companies.items():
            key = f"edgar-filings:CIK{cik} {','.join(forms)}".rstrip()
            jobs.append(BackfillJob("edgar-filings", key, tuple(ids), forms=tuple(forms), cik=cik))
    return jobs


def _as_utc(value: datetime | date) -> datetime:
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def backfill_range(since: datetime | date, until: datetime | date | None, now: datetime | None = None) -> Chunk:
    """The whole range as UTC calendar days; naive times count as UTC, `until` defaults to now."""
    start = _as_utc(since)
    end = _as_utc(until) if until is not None else (now or datetime.now(UTC))
    if start > end:
        raise BackfillConfigError(
            f"the backfill starts ({start:%Y-%m-%d %H:%M} UTC) after it ends ({end:%Y-%m-%d %H:%M} UTC): swap since and until"
        )
    # EDGAR and the Federal Register both filter on whole days, so the range is widened to whole days.
    return Chunk(start.date(), end.date())


def split_range(whole: Chunk, chunk_days: int) -> list[Chunk]:
    """Consecutive chunks of `chunk_days` days covering the range (the last one may be shorter)."""
    if chunk_days < 1:
        raise BackfillConfigError(f"chunk_days must be at least 1, not {chunk_days}")
    chunks: list[Chunk] = []
    start = whole.since
    while start <= whole.until:
        end = min(start + timedelta(days=chunk_days - 1), whole.until)
        chunks.append(Chunk(start, end))
        start = end + timedelta(days=1)
    return chunks


# -- results --------------------------------------------------------------------------------------
