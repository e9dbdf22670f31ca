"""The `Verdict`: what the matcher concluded about one (item, claim) pair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Stance = Literal["confirms", "contradicts", "mentions"]
ALERTING_STANCES: frozenset[str] = frozenset({"confirms", "contradicts"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """An item's relation to a claim: stance, a 0..1 score and a human-readable reason."""

    item_id: str
    claim_id: str
    stance: Stance
    score: float
    why: str
    story_id: str = ""  # near-duplicate cluster id; the same story from many feeds shares one

    @property
    def alerts(self) -> bool:
        """True when this verdict should notify people (it confirms or contradicts)."""
        return self.stance in ALERTING_STANCES

    def as_json(self) -> dict[str, object]:
        """The stable `claimwatch match` output line for this verdict."""
        return {
            "item_id": self.item_id,
            "claim_id": self.claim_id,
            "stance": self.stance,
            "score": round(self.score, 4),
            "why": self.why,
        }
