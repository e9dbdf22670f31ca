"""A claim's status as people read it, derived from its evidence counts and its check date."""

from __future__ import annotations

from datetime import date
from typing import Literal

ClaimStatus = Literal["unverified", "confirmed", "contradicted", "disputed", "due"]


def claim_status(confirms: int, contradicts: int, check_after: date | None, today: date) -> ClaimStatus:
    """Summarise a claim's evidence as one word.

    Precedence, first match wins:
    1. "disputed"     - evidence both ways (at least one confirming and one contradicting item);
    2. "confirmed"    - only confirming evidence;
    3. "contradicted" - only contradicting evidence;
    4. "due"          - no decisive evidence, and `today` is after the claim's `check_after` date
                        (a prediction whose time has come: someone should look);
    5. "unverified"   - nothing decisive yet, and nothing due.
    Decisive evidence outranks "due": once a prediction has been confirmed or contradicted the
    date no longer needs attention. "mentions" evidence never changes the status.
    """
    if confirms < 0 or contradicts < 0:
        raise ValueError(f"evidence counts cannot be negative (confirms={confirms}, contradicts={contradicts})")
    if confirms and contradicts:
        return "disputed"
    if confirms:
        return "confirmed"
    if contradicts:
        return "contradicted"
    if check_after is not None and today > check_after:
        return "due"
    return "unverified"
