"""Score items against claims: relevance, stance and quantities. Pure functions, no I/O."""

from matchers.verdict import Stance, Verdict

__all__ = ["Stance", "Verdict"]
