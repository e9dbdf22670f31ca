"""The claim registry: `seeds/claims.yaml` is faithful to the seed documents, and the loader names what is wrong."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from seeds import DEFAULT_CLAIMS_FILE, Claim, ClaimsFileError, active_claims, linked_claims, load_claims

DOCUMENTS = Path(DEFAULT_CLAIMS_FILE).with_name("documents")
SEED_DOCUMENTS = {
    "000_9a608ec2d7e4b2c7.txt",
    "001_1f75b9b378013dd4.txt",
    "002_3b6afdfa3ea1ef5a.txt",
    "003_269b462dd520ee5a.txt",
    "004_e223510383288264.txt",
}
# The ids the dev set is labelled against: renaming or dropping one silently breaks the evaluation.
FIXED_IDS = {
    "stargate-10gw-nvidia-systems", "nvidia-openai-investment-100b", "nvidia-openai-revenue-400b",
    "oracle-openai-300b", "oci-5-7gw", "colossus2-500k-gpus", "openai-800m-users",
    "openai-trillion-dollar-company", "nvidia-coreweave-2b", "nvidia-groq-20b", "h1b-fee-100k",
    "us-export-controls-china-ai-chips", "nvidia-china-share-zero", "h20-china-sales",
    "hyperscaler-ai-capex-500b", "ai-capex-5t-per-year", "ai-market-400b-today", "chips-act-50b",
    "ai-industry-arr-100b-2026", "openai-arr-45-5b", "anthropic-arr-35-40b",
    "datacenters-10pct-us-electricity", "nvidia-first-10t-company", "wall-street-8pct-growth-2027-2030",
    "token-cost-billionfold-decline", "robotics-ai-fusion-5y", "china-lithography-gap-5y",
}
REQUIRED_FAMILIES = {
    "stargate", "h1b", "export-controls", "capex", "ai-revenue", "energy", "nvidia-business", "china", "predictions",
}
KNOWN_UNITS = {"USD", "GW", "%", "count", "x", "years", "users", "GPUs"}
KNOWN_SPEAKERS = {"Jensen Huang", "Dylan Patel", "Brad Gerstner"}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# A figure in a statement: a number standing on its own. Years (2026, 2027-2028) and digits that are part of a
# product or programme name (H20, TPU7, GPT-4, H-1B, x86) are not figures and need no quantity.
_NUMBER = re.compile(r"(?<![\w.-])\d+(?:[.,]\d+)*(?!\w)")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _figures(text: str) -> list[str]:
    """The numbers in `text` that state an amount (not a year, not part of a name)."""
    return [number for number in _NUMBER.findall(text) if not _YEAR.fullmatch(number)]


@pytest.fixture(scope="module")
def claims() -> list[Claim]:
    return load_claims()


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in DOCUMENTS.glob("*.txt")}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ---- the registry file -------------------------------------------------------------------------------------


def test_seed_documents_are_checked_in_next_to_the_registry(documents):
    assert SEED_DOCUMENTS <= set(documents)


def test_registry_loads_in_under_a_second():
    started = time.perf_counter()
    load_claims()
    assert time.perf_counter() - started < 1.0


def test_registry_tracks_at_least_forty_active_claims(claims):
    assert len(active_claims(claims)) >= 40


def test_claim_ids_are_unique(claims):
    ids = [claim.id for claim in claims]
    assert len(ids) == len(set(ids))


def test_every_team_wide_claim_id_is_present(claims):
    assert FIXED_IDS - {claim.id for claim in claims} == set()


def test_every_required_family_has_claims(claims):
    assert REQUIRED_FAMILIES - {claim.family for claim in claims} == set()


def test_every_claim_names_an_existing_seed_document(claims):
    missing = [(claim.id, claim.document) for claim in claims if not (DOCUMENTS / claim.document).is_file()]
    assert missing == []


def test_every_quote_appears_verbatim_in_its_document(claims, documents):
    # Verbatim means verbatim: no whitespace folding, no quote-mark normalisation, no case folding.
    misquoted = [(claim.id, claim.quote) for claim in claims if claim.quote not in documents.get(claim.document, "")]
    assert misquoted == []


def test_every_claim_has_provenance(claims):
    incomplete = [
        claim.id for claim in claims if not (claim.quote and claim.said_on and claim.speaker in KNOWN_SPEAKERS)
    ]
    assert incomplete == []


def test_every_claim_has_an_english_statement_and_a_chinese_alias(claims):
    assert [claim.id for claim in claims if _CJK.search(claim.statement)] == []
    assert [claim.id for claim in claims if not any(_CJK.search(alias) for alias in claim.aliases)] == []


def test_every_claim_has_a_news_query(claims):
    assert [claim.id for claim in claims if not claim.watch.news] == []


def test_every_figure_in_a_statement_comes_with_a_quantity(claims):
    unquantified = [claim.id for claim in claims if _figures(claim.statement) and claim.quantity is None]
    assert unquantified == []


def test_quantities_use_the_registry_units(claims):
    odd = [(claim.id, claim.quantity.unit) for claim in claims if claim.quantity and claim.quantity.unit not in KNOWN_UNITS]
    assert odd == []


def test_every_prediction_has_a_due_date_after_it_was_said(claims):
    predictions = [claim for claim in claims if claim.horizon]
    assert predictions, "the registry should contain dated predictions"
    undated = [claim.id for claim in predictions if claim.check_after is None or claim.check_after <= claim.said_on]
    assert undated == []


def test_figure_detection_skips_years_and_product_names():
    assert not _figures("NVIDIA's Vera Rubin platform will arrive in the second half of 2026.")
    assert not _figures("Google's TPU7 and NVIDIA's H20 and H-1B visas, GPT-4-class models, x86.")
    assert not _figures("Data centres will draw power by 2027-2028.")
    assert _figures("Data centres will consume about 10% of US electricity by 2027-2028.")
    assert _figures("NVIDIA will invest $100 billion.")


# ---- the loader's errors -----------------------------------------------------------------------------------


def test_bad_yaml_is_reported_with_its_line(tmp_path):
    path = _write(tmp_path, "claims:\n  - id: ok-claim\n    statement: [unclosed\n")
    with pytest.raises(ClaimsFileError) as caught:
        load_claims(path)
    assert "not valid YAML at line" in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_statement_names_the_claim_and_field(tmp_path):
    path = _write(tmp_path, "claims:\n  - id: no-statement\n    family: capex\n")
    with pytest.raises(ClaimsFileError) as caught:
        load_claims(path)
    assert (caught.value.claim_id, caught.value.field) == ("no-statement", "statement")
    assert "'no-statement'" in str(caught.value)


def test_duplicate_id_names_the_claim_and_field(tmp_path):
    text = "claims:\n" + "".join(f"  - id: twice\n    statement: The same claim listed {n}.\n" for n in ("once", "again"))
    with pytest.raises(ClaimsFileError) as caught:
        load_claims(_write(tmp_path, text))
    assert (caught.value.claim_id, caught.value.field) == ("twice", "id")
    assert "duplicate id" in str(caught.value)


def test_wrong_type_in_quantity_names_the_claim_and_field(tmp_path):
    text = (
        "claims:\n"
        "  - id: bad-quantity\n"
        "    statement: NVIDIA will invest $100 billion in OpenAI.\n"
        "    quantity: {value: a hundred billion, unit: USD}\n"
    )
    with pytest.raises(ClaimsFileError) as caught:
        load_claims(_write(tmp_path, text))
    assert (caught.value.claim_id, caught.value.field) == ("bad-quantity", "quantity.value")


def test_unreadable_file_is_a_claims_file_error(tmp_path):
    with pytest.raises(ClaimsFileError, match="cannot read"):
        load_claims(tmp_path / "absent.yaml")


def test_a_claim_with_only_id_and_statement_loads(tmp_path):
    (claim,) = load_claims(_write(tmp_path, "claims:\n  - id: bare-claim\n    statement: OpenAI has 800 million users.\n"))
    assert (claim.id, claim.statement, claim.family, claim.quantity, claim.watch.news) == (
        "bare-claim", "OpenAI has 800 million users.", "general", None, ()
    )


@pytest.mark.parametrize(("linked", "problem"), [
    ("[no-such-claim]", "no claim has the id 'no-such-claim'"),
    ("[ten-gigawatts]", "a claim cannot be linked to itself"),
])
def test_a_link_to_a_missing_claim_or_to_itself_names_the_claim_and_field(tmp_path, linked, problem):
    text = (
        "claims:\n"
        "  - id: ten-gigawatts\n"
        "    statement: OpenAI will deploy 10 gigawatts of NVIDIA systems.\n"
        f"    linked: {linked}\n"
    )
    with pytest.raises(ClaimsFileError) as caught:
        load_claims(_write(tmp_path, text))
    assert (caught.value.claim_id, caught.value.field) == ("ten-gigawatts", "linked")
    assert problem in str(caught.value)


def test_the_shipped_links_join_the_openai_build_out_and_its_investment(claims):
    linked = {(claim.id, other) for claim in claims for other in claim.linked}
    assert linked == {("nvidia-openai-investment-100b", "stargate-10gw-nvidia-systems")}


def test_linked_claims_read_a_link_from_either_side_among_the_claims_given():
    build = Claim(id="build", statement="OpenAI will deploy 10 GW.", linked=("stake", "retired-one"))
    stake = Claim(id="stake", statement="NVIDIA will invest up to $100B.")
    chips = Claim(id="chips", statement="Chips ship.", linked=("build",))
    assert linked_claims([build, stake, chips]) == {"build": ("chips", "stake"), "stake": ("build",),
                                                    "chips": ("build",)}
    assert linked_claims([stake, chips]) == {}  # the claim declaring both links left out (retired)
