"""`claimwatch rematch`: stored items are re-scored against new or edited claims, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from claimwatch.maintenance import rematch_stored_items
from seeds import parse_claims
from sources import Item, item_id_for

H1B = {"id": "h1b-fee-100k", "family": "h1b", "statement": "The United States charges a $100,000 fee on new H-1B visa petitions.",
       "keywords": ["H-1B", "visa", "fee"], "quantity": {"value": 100000, "unit": "USD"}}
STARGATE = {"id": "stargate-10gw-nvidia-systems", "family": "stargate",
            "statement": "OpenAI will build and deploy at least 10 gigawatts of NVIDIA systems.",
            "keywords": ["OpenAI", "NVIDIA", "10 gigawatts", "data center"], "entities": ["NVIDIA", "OpenAI"],
            "quantity": {"value": 10, "unit": "GW"}}


def item(title: str, url: str) -> Item:
    return Item(id=item_id_for(url), title=title, url=url, source="test",
                published=datetime(2025, 9, 22, 16, 0, tzinfo=timezone.utc))


STORED = [
    item("Trump signs proclamation imposing $100,000 fee on H-1B visas", "https://example.com/h1b-signed"),
    item("OpenAI and NVIDIA announce partnership to deploy 10 gigawatts of NVIDIA systems", "https://example.com/10gw"),
    item("Local bakery wins regional bread award", "https://example.com/bread"),
]


def test_rematch_finds_evidence_for_a_claim_added_after_the_items_were_stored(repo) -> None:
    repo.sync_claims(parse_claims([H1B]))
    repo.add_items(STORED)
    first = rematch_stored_items(repo, parse_claims([H1B]))
    assert first.items == 3 and first.new_evidence >= 1
    assert {e.claim_id for e in repo.list_evidence(limit=50)} == {"h1b-fee-100k"}

    # A new claim is added to the registry: rematch re-scores the stored items retroactively.
    claims = parse_claims([H1B, STARGATE])
    repo.sync_claims(claims)
    second = rematch_stored_items(repo, claims, claim_ids=["stargate-10gw-nvidia-systems"])
    assert second.claims == 1 and second.new_evidence >= 1
    stargate = repo.list_evidence(claim_id="stargate-10gw-nvidia-systems", limit=50)
    assert [e.item.url for e in stargate] == ["https://example.com/10gw"] and stargate[0].stance == "confirms"

    # Rematch queues no alerts by default (historical items should not page anyone), and a rerun adds nothing.
    assert repo.pending_alerts() == []
    assert rematch_stored_items(repo, claims).new_evidence == 0
    assert repo.claim_detail("stargate-10gw-nvidia-systems").status == "confirmed"


def test_rematch_can_queue_alerts_and_rejects_unknown_claim_ids(repo) -> None:
    claims = parse_claims([H1B, STARGATE])
    repo.sync_claims(claims)
    repo.add_items(STORED)
    report = rematch_stored_items(repo, claims, queue_alerts=True)
    assert report.new_evidence >= 2 and len(repo.pending_alerts()) >= 2
    with pytest.raises(KeyError):
        rematch_stored_items(repo, claims, claim_ids=["no-such-claim"])


def test_retired_claims_keep_their_evidence_and_are_not_rematched(repo) -> None:
    claims = parse_claims([H1B, STARGATE])
    repo.sync_claims(claims)
    repo.add_items(STORED)
    rematch_stored_items(repo, claims)
    retired = parse_claims([H1B, {**STARGATE, "retired": True}])
    sync = repo.sync_claims(retired)
    assert sync.retired == ("stargate-10gw-nvidia-systems",)
    assert repo.list_evidence(claim_id="stargate-10gw-nvidia-systems", limit=50)
    assert rematch_stored_items(repo, retired).claims == 1
