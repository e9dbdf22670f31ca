"""The shipped matcher (rules + `matcher_model.json`) on the examples the issue names as must-not-miss.

A retrained calibrator is chosen on aggregate figures; these are the single stories users would notice first,
so a retrain that loses one of them does not ship (one chose a doubt zone that read the demo's "judge blocks
the fee" headline as a mere mention).
"""

from __future__ import annotations

import pytest

from matchers import Matcher
from seeds import DEFAULT_CLAIMS_FILE, load_claims
from sources.item import Item

MATCHER = Matcher(load_claims(DEFAULT_CLAIMS_FILE))


@pytest.mark.parametrize(("title", "claim_id", "stance"), [
    # a fee struck down
    ("Federal judge blocks $100,000 H-1B fee, says proclamation exceeds presidential authority", "h1b-fee-100k",
     "contradicts"),
    ("Federal judge blocks Trump's $100,000 H-1B visa fee - The Wall Street Journal", "h1b-fee-100k", "contradicts"),
    ("Court strikes down Trump's $100,000 H-1B visa fee", "h1b-fee-100k", "contradicts"),
    ("美国法院裁定暂停10万美元H-1B签证费", "h1b-fee-100k", "contradicts"),
    # an investment shrunk from $100B to $30B
    ("Nvidia scales back OpenAI investment to $30 billion from $100 billion", "nvidia-openai-investment-100b",
     "contradicts"),
    ("Nvidia's OpenAI investment shrinks to $30 billion", "nvidia-openai-investment-100b", "contradicts"),
    # a licence granted where the claim is a ban
    ("US grants Nvidia licences to sell H20 chips to China", "us-export-controls-china-ai-chips", "contradicts"),
    ("Commerce Department grants Nvidia licence to resume H20 sales to China", "us-export-controls-china-ai-chips",
     "contradicts"),
    # and the announcements themselves
    ("Trump signs proclamation imposing $100,000 fee on H-1B visas", "h1b-fee-100k", "confirms"),
    ("OpenAI and NVIDIA Announce Strategic Partnership to Deploy 10 Gigawatts of NVIDIA Systems",
     "stargate-10gw-nvidia-systems", "confirms"),
    # a lawsuit filed pages nobody: it takes no side until a court rules (the demo's corpus carries this one)
    ("US Chamber of Commerce sues to stop $100,000 H-1B visa fee", "h1b-fee-100k", "mentions"),
])
def test_the_shipped_matcher_reads_the_stories_users_notice_first(title: str, claim_id: str, stance: str):
    found = {verdict.claim_id: verdict for verdict in MATCHER.match([Item("x", title)])}
    assert claim_id in found, f"{title!r} is not matched to {claim_id}"
    assert found[claim_id].stance == stance, found[claim_id].why
