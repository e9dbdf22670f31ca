"""Claims in the store: sync (add/update/retire/un-retire), status, counts and detail on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from matchers.verdict import Verdict
from seeds.registry import Claim
from sources.item import Item, item_id_for
from store.claim_status import claim_status
from store.repository import Repository

TODAY = date(2026, 6, 1)


def make_claim(claim_id: str, statement: str = "OpenAI will deploy 10 gigawatts of NVIDIA systems.", **fields) -> Claim:
    return Claim(id=claim_id, statement=statement, **fields)


def add_item(repo: Repository, n: int) -> Item:
    item = Item(id=item_id_for(f"https://example.org/{n}"), title=f"Story {n}", url=f"https://example.org/{n}")
    repo.add_items([item])
    return item


# -- the status rule itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confirms", "contradicts", "check_after", "expected"),
    [
        (0, 0, None, "unverified"),
        (1, 0, None, "confirmed"),
        (0, 2, None, "contradicted"),
        (3, 1, None, "disputed"),
        (0, 0, date(2026, 5, 31), "due"),
        (0, 0, TODAY, "unverified"),  # due only *after* the check date
        (0, 0, date(2027, 1, 1), "unverified"),
        (1, 0, date(2026, 1, 1), "confirmed"),  # decisive evidence outranks "due"
        (1, 1, date(2026, 1, 1), "disputed"),
    ],
)
def test_claim_status_rule(confirms: int, contradicts: int, check_after: date | None, expected: str) -> None:
    assert claim_status(confirms, contradicts, check_after, TODAY) == expected


def test_claim_status_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        claim_status(-1, 0, None, TODAY)


# -- sync -----------------------------------------------------------------------------------------


def test_syncing_the_same_claims_twice_changes_nothing(repo: Repository) -> None:
    claims = [make_claim("stargate-10gw"), make_claim("h1b-fee-100k", "The US charges a $100,000 H-1B fee.")]
    first = repo.sync_claims(claims)
    second = repo.sync_claims(claims)
    assert first.added == ("stargate-10gw", "h1b-fee-100k")
    assert (second.added, second.updated, second.retired) == ((), (), ())
    assert set(second.unchanged) == {"stargate-10gw", "h1b-fee-100k"}


def test_claims_are_updated_retired_and_unretired_and_keep_their_evidence(repo: Repository) -> None:
    repo.sync_claims([make_claim("stargate-10gw"), make_claim("h1b-fee-100k", "The US charges a $100,000 H-1B fee.")])
    item = add_item(repo, 1)
    repo.record_evidence([Verdict(item.id, "h1b-fee-100k", "confirms", 0.9, "fee of $100,000")])

    edited = make_claim("stargate-10gw", keywords=("Stargate",))
    result = repo.sync_claims([edited])
    assert (result.updated, result.retired) == (("stargate-10gw",), ("h1b-fee-100k",))
    assert [c.id for c in repo.list_claims()] == ["stargate-10gw"]
    (retired,) = [c for c in repo.list_claims(include_retired=True) if c.id == "h1b-fee-100k"]
    assert retired.retired and retired.confirms == 1
    assert len(repo.list_evidence(claim_id="h1b-fee-100k")) == 1
    assert repo.claim_detail("stargate-10gw").claim["keywords"] == ["Stargate"]

    back = repo.sync_claims([edited, make_claim("h1b-fee-100k", "The US charges a $100,000 H-1B fee.")])
    assert back.updated == ("h1b-fee-100k",) and back.retired == ()
    assert {c.id for c in repo.list_claims()} == {"stargate-10gw", "h1b-fee-100k"}
    assert repo.list_claims()[0].confirms == 1


def test_a_claim_marked_retired_in_the_file_is_retired(repo: Repository) -> None:
    repo.sync_claims([make_claim("stargate-10gw")])
    result = repo.sync_claims([make_claim("stargate-10gw", retired=True)])
    assert result.retired == ("stargate-10gw",)
    assert repo.list_claims() == []


# -- status and counts through the store ----------------------------------------------------------


def test_claim_status_moves_from_unverified_to_confirmed_to_disputed(repo: Repository) -> None:
    repo.sync_claims([make_claim("stargate-10gw")])
    assert repo.list_claims(today=TODAY)[0].status == "unverified"

    first, second, third = (add_item(repo, n) for n in range(3))
    repo.record_evidence([Verdict(first.id, "stargate-10gw", "mentions", 0.6, "names OpenAI")])
    assert repo.list_claims(today=TODAY)[0].status == "unverified"
    repo.record_evidence([Verdict(second.id, "stargate-10gw", "confirms", 0.9, "10 GW deal signed")])
    assert repo.list_claims(today=TODAY)[0].status == "confirmed"
    repo.record_evidence([Verdict(third.id, "stargate-10gw", "contradicts", 0.8, "deal scaled back")])

    (row,) = repo.list_claims(today=TODAY)
    assert (row.status, row.confirms, row.contradicts, row.mentions) == ("disputed", 1, 1, 1)
    assert row.last_evidence_at is not None and row.last_evidence_at.tzinfo is not None
    assert row.last_evidence_at.utcoffset().total_seconds() == 0


def test_a_prediction_past_its_check_date_without_evidence_is_due(repo: Repository) -> None:
    repo.sync_claims([make_claim("capex-2026", "Hyperscalers will spend $500 billion on capex in 2026.",
                                 check_after=date(2026, 3, 1))])
    assert repo.list_claims(today=date(2026, 2, 1))[0].status == "unverified"
    assert repo.list_claims(today=TODAY)[0].status == "due"
    item = add_item(repo, 1)
    repo.record_evidence([Verdict(item.id, "capex-2026", "contradicts", 0.8, "capex was $410 billion")])
    assert repo.list_claims(today=TODAY)[0].status == "contradicted"


def test_claim_detail_shows_the_latest_evidence_both_ways(repo: Repository) -> None:
    repo.sync_claims([make_claim("stargate-10gw", speaker="Jensen Huang")])
    items = [add_item(repo, n) for n in range(4)]
    for n, stance in enumerate(["confirms", "confirms", "contradicts", "mentions"]):
        repo.record_evidence(
            [Verdict(items[n].id, "stargate-10gw", stance, 0.7, f"reason {n}")],
            at=datetime(2026, 1, 1 + n, tzinfo=UTC),
        )
    detail = repo.claim_detail("stargate-10gw", limit=5, today=TODAY)
    assert detail is not None
    assert detail.claim["speaker"] == "Jensen Huang"
    assert detail.status == "disputed"
    assert [r.why for r in detail.latest["confirms"]] == ["reason 1", "reason 0"]  # newest first
    assert [r.why for r in detail.latest["contradicts"]] == ["reason 2"]
    assert [r.why for r in detail.latest["mentions"]] == ["reason 3"]
    assert repo.claim_detail("no-such-claim") is None
