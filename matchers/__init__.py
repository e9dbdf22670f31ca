"""Score items against claims: relevance, stance and quantities. Pure functions, no I/O."""

from matchers.compiled import choose_build

choose_build(__name__)  # before the modules it may compile are imported (matchers.compiled)

from matchers.clustering import cluster_stories  # noqa: E402
from matchers.matcher import Matcher, match_items  # noqa: E402
from matchers.verdict import Stance, Verdict  # noqa: E402

__all__ = ["Matcher", "Stance", "Verdict", "cluster_stories", "match_items"]
