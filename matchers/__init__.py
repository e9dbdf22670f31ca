"""Score items against claims: relevance, stance and quantities. Pure functions, no I/O."""

from matchers.clustering import cluster_stories
from matchers.matcher import Matcher, match_items
from matchers.verdict import Stance, Verdict

__all__ = ["Matcher", "Stance", "Verdict", "cluster_stories", "match_items"]
