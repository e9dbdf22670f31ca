"""The claim registry: load and validate `claims.yaml` into immutable `Claim` values."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from seeds.yamlfile import read_yaml_file

DEFAULT_CLAIMS_FILE = Path(__file__).with_name("claims.yaml")
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class ClaimsFileError(ValueError):
    """A claims file that cannot be used, with the claim and field at fault."""

    def __init__(self, path: str, message: str, claim_id: str | None = None, field: str | None = None):
        self.path, self.claim_id, self.field = path, claim_id, field
        where = f"claim {claim_id!r}" if claim_id else "file"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{path}: {where}: {message}")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Quantity(_Frozen):
    """The figure a claim states, e.g. 10 GW or 100,000 USD."""

    value: float
    unit: str = Field(min_length=1)  # GW, USD, %, count, x, years, …
    per: Literal["year", "quarter", "month"] | None = None
    approx: bool = False  # "about", "roughly", "up to": widen the tolerance
    tolerance: float | None = Field(default=None, ge=0, le=1)  # relative; matcher default when None


class EdgarWatch(_Frozen):
    """Which SEC filings and XBRL facts may carry evidence for a claim."""

    companies: tuple[str, ...] = ()  # CIKs ("0001045810") or names known to sources.edgar
    forms: tuple[str, ...] = ()  # 8-K, 10-Q, 10-K …
    concepts: tuple[str, ...] = ()  # us-gaap XBRL concepts, e.g. PaymentsToAcquirePropertyPlantAndEquipment
    query: str = ""  # EDGAR full-text search phrase


class FederalRegisterWatch(_Frozen):
    """Federal Register agencies and terms that may publish rules about a claim."""

    agencies: tuple[str, ...] = ()  # slugs, e.g. industry-and-security-bureau
    terms: tuple[str, ...] = ()
    types: tuple[str, ...] = ()  # RULE, PRORULE, NOTICE, PRESDOCU


class Watch(_Frozen):
    """The queries that should find news and filings about a claim."""

    news: tuple[str, ...] = ()  # search-feed terms (Google News and the like)
    edgar: EdgarWatch | None = None
    federal_register: FederalRegisterWatch | None = None


class Claim(_Frozen):
    """One checkable factual claim with its provenance and the words that identify it."""

    id: str = Field(pattern=_SLUG, max_length=80)
    statement: str = Field(min_length=8)
    family: str = "general"
    speaker: str = ""
    document: str = ""  # seed document file name under seeds/documents/
    said_on: dt.date | None = None
    quote: str = ""  # verbatim, original language
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()  # organisations a story must name to confirm/contradict (NVIDIA, OpenAI)
    quantity: Quantity | None = None
    horizon: str = ""  # for predictions: "by 2030", "within five years"
    check_after: dt.date | None = None  # a prediction becomes "due" after this date
    watch: Watch = Watch()
    retired: bool = False
    # Claims that are terms of one agreement with this one (the 10 GW build-out and the investment paid per gigawatt):
    # news that the agreement itself was signed or let lapse is news about each. Declared on either side.
    linked: tuple[str, ...] = ()

    @field_validator("statement", "quote", "speaker", "horizon")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("aliases", "keywords", "entities", "linked")
    @classmethod
    def _no_blank_terms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        terms = tuple(term.strip() for term in value)
        if any(not term for term in terms):
            raise ValueError("must not contain empty strings")
        return terms


def parse_claims(data: Any, path: str = "<claims>") -> list[Claim]:
    """Validate already-parsed YAML/JSON data into claims, naming the claim and field at fault."""
    entries = data.get("claims") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ClaimsFileError(path, "expected a list of claims (or a mapping with a 'claims' list)")
    claims: list[Claim] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        label = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else f"#{index + 1}"
        if not isinstance(entry, dict):
            raise ClaimsFileError(path, "each claim must be a mapping", claim_id=label)
        try:
            claim = Claim.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or None
            raise ClaimsFileError(path, first["msg"], claim_id=label, field=field) from None
        if claim.id in seen:
            raise ClaimsFileError(path, "duplicate id", claim_id=claim.id, field="id")
        seen.add(claim.id)
        claims.append(claim)
    for claim in claims:
        for other in claim.linked:
            if other == claim.id:
                raise ClaimsFileError(path, "a claim cannot be linked to itself", claim_id=claim.id, field="linked")
            if other not in seen:
                raise ClaimsFileError(path, f"no claim has the id {other!r}", claim_id=claim.id, field="linked")
    return claims


def load_claims(path: str | Path = DEFAULT_CLAIMS_FILE) -> list[Claim]:
    """Load and validate a claims YAML file; raise `ClaimsFileError` naming what is wrong."""
    path = Path(path)
    data = read_yaml_file(path, ClaimsFileError)
    return parse_claims(data, str(path))


def active_claims(claims: Sequence[Claim]) -> list[Claim]:
    """The claims that are still tracked (not retired)."""
    return [claim for claim in claims if not claim.retired]


def linked_claims(claims: Sequence[Claim]) -> dict[str, tuple[str, ...]]:
    """Claim id -> the ids of the claims among `claims` linked to it (`Claim.linked`), the link declared on either
    side, sorted; a link to a claim not among them (a retired one left out) is dropped."""
    ids = {claim.id for claim in claims}
    linked: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        for other in claim.linked:
            if other in ids:
                linked[claim.id].add(other)
                linked[other].add(claim.id)
    return {claim_id: tuple(sorted(others)) for claim_id, others in linked.items()}
