"""Store maintenance that needs the matcher: re-scoring stored items after claims change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matchers import Matcher
from seeds import Claim, active_claims


@dataclass(frozen=True, slots=True)
class RematchReport:
    """What a rematch looked at and found."""

    claims: int
    items: int
    verdicts: int
    new_evidence: int

    def headline(self) -> str:
        """One sentence for the terminal."""
        return (
            f"rematched {self.items} stored items against {self.claims} claims: "
            f"{self.verdicts} related pairs, {self.new_evidence} new evidence"
        )


def rematch_stored_items(
    repo, claims: Sequence[Claim], *, claim_ids: Sequence[str] | None = None, threshold: float = 0.5,
    queue_alerts: bool = False, batch_size: int = 2000,
) -> RematchReport:
    """Re-score every stored item against the selected active claims; store what is new or changed."""
    active = active_claims(claims)
    if claim_ids:
        known = {claim.id for claim in active}
        for claim_id in claim_ids:
            if claim_id not in known:
                raise KeyError(claim_id)
        active = [claim for claim in active if claim.id in set(claim_ids)]
    matcher = Matcher(active, threshold=threshold)
    items = verdicts = new = 0
    for batch in repo.item_batches_for_rematch(batch_size=batch_size):
        items += len(batch)
        found = matcher.match(batch)
        verdicts += len(found)
        new += len(repo.record_evidence(found, queue_alerts=queue_alerts))
    return RematchReport(claims=len(active), items=items, verdicts=verdicts, new_evidence=new)
