"""The words an item uses about a claim, as the calibrator reads them: claim-neutral placeholders, negation, Chinese."""

from matchers import Matcher
from matchers.lexical import pair_terms, sentence_terms
from matchers.text import normalise
from seeds.registry import parse_claims
from sources.item import Item


def test_marked_spans_become_placeholders_and_words_are_stemmed():
    sentence = normalise("Nvidia lets the $100 billion OpenAI letter of intent lapse")
    marks = [(0, 6, "<own>"), (16, 28, "<same>"), (29, 35, "<own>"), (36, 52, "<kw>")]
    terms = sentence_terms(sentence, marks)
    assert {"<own>", "<same>", "<kw>", "lets", "lapse"} <= set(terms)
    assert "<kw>_lapse" in terms and "nvidia" not in terms and "100" not in terms


def test_words_after_a_negation_are_also_counted_as_negated():
    terms = sentence_terms(normalise("The deal was not cancelled"), [])
    assert "neg:cancell" in terms and "cancell" in terms
    assert "neg:deal" not in terms


def test_chinese_is_read_as_character_pairs():
    terms = sentence_terms(normalise("意向书到期未续"), [])
    assert {"意向", "到期", "未续"} <= set(terms)


def test_a_restriction_claim_reads_every_term_twice():
    terms = pair_terms([(normalise("US lifts the ban"), [])], restriction=True)
    assert {"lift", "R:lift", "R:^_lift", "R:lift_ban"} <= terms


CLAIMS = parse_claims([
    {"id": "acme-beta-investment", "statement": "NVIDIA will invest up to $40 billion in OpenAI.",
     "keywords": ["investment", "stake"], "entities": ["NVIDIA", "OpenAI"],
     "quantity": {"value": 40e9, "unit": "USD", "approx": True}},
])


def test_a_pairs_terms_come_from_the_headline_and_the_sentences_about_the_claim():
    item = Item("i", "Nvidia cuts its OpenAI investment to $10 billion",
                summary="The chipmaker had planned $40 billion. Separately, a bakery opened in Paris.")
    ((claim_id, _, _, terms, _),) = Matcher(CLAIMS, model_path=None).describe_pairs(item)
    assert claim_id == "acme-beta-investment"
    assert {"<own>", "<kw>", "cuts", "<diff>"} <= terms
    assert "bakery" not in terms  # a sentence about something else is not read


def test_a_pairs_terms_name_its_claim_and_family():
    terms = pair_terms([(normalise("Fee struck down"), [])], restriction=False, claim_id="h1b-fee", family="h1b")
    assert {"claim:h1b-fee", "family:h1b", "struck"} <= terms
