"""The source catalog: the sources YAML file and the Google News searches derived from claims."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from seeds.registry import Claim
from sources import DEFAULT_SOURCES_FILE, SourceSpec, SourcesFileError, load_sources, sources_for_claims


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_file_lists_publisher_feeds_and_searches_for_every_family():
    specs = load_sources(DEFAULT_SOURCES_FILE)

    ids = {spec.id for spec in specs}
    assert {"nvidia-newsroom", "openai-news", "whitehouse-presidential-actions"} <= ids
    assert all(spec.kind == "feed" and spec.url.startswith("https://") for spec in specs)
    families = {family for spec in specs if spec.id.startswith("gnews-") for family in spec.families}
    assert families == {"stargate", "h1b", "export-controls", "capex"}


def test_a_minimal_entry_gets_defaults(tmp_path):
    path = write(tmp_path, "sources:\n  - id: local-feed\n    url: http://127.0.0.1:8000/feed.xml\n")

    assert load_sources(path) == [SourceSpec(id="local-feed", url="http://127.0.0.1:8000/feed.xml")]


def test_a_plain_list_with_every_field_is_accepted(tmp_path):
    path = write(
        tmp_path,
        "- id: demo_feed\n  url: https://example.org/a.xml\n  kind: feed\n  title: Demo\n"
        "  families: [h1b]\n  claims: h1b-fee-100k\n  enabled: false\n",
    )

    [spec] = load_sources(path)
    assert spec == SourceSpec("demo_feed", "https://example.org/a.xml", "feed", "Demo", ("h1b",), ("h1b-fee-100k",), False)


@pytest.mark.parametrize(
    ("text", "source_id", "field", "words"),
    [
        ("sources:\n  - id: a\n    url: ftp://example.org/x\n", "a", "url", "http(s) URL"),
        ("sources:\n  - id: Bad Id\n    url: https://example.org/\n", "Bad Id", "id", "slug"),
        ("sources:\n  - url: https://example.org/\n", "#1", "id", "slug"),
        ("sources:\n  - id: a\n    url: https://example.org/\n    enabled: maybe\n", "a", "enabled", "true or false"),
        ("sources:\n  - id: a\n    url: https://example.org/\n    famlies: [h1b]\n", "a", "famlies", "unknown field"),
        ("sources:\n  - id: a\n    url: https://example.org/\n    claims: [1]\n", "a", "claims", "non-empty names"),
        (
            "sources:\n  - id: a\n    url: https://example.org/a\n  - id: a\n    url: https://example.org/b\n",
            "a",
            "id",
            "duplicate",
        ),
    ],
)
def test_a_bad_entry_names_the_source_and_field(tmp_path, text, source_id, field, words):
    with pytest.raises(SourcesFileError) as error:
        load_sources(write(tmp_path, text))

    assert error.value.source_id == source_id
    assert error.value.field == field
    assert words in str(error.value)


def test_unreadable_or_invalid_yaml_is_reported_with_its_location(tmp_path):
    with pytest.raises(SourcesFileError, match="cannot read"):
        load_sources(tmp_path / "missing.yaml")
    with pytest.raises(SourcesFileError, match=r"not valid YAML at line \d+, column \d+"):
        load_sources(write(tmp_path, "sources:\n  - id: [unclosed\n"))
    with pytest.raises(SourcesFileError, match="expected a list of sources"):
        load_sources(write(tmp_path, "sources: 3\n"))


def claim(claim_id: str, family: str, *queries: str, retired: bool = False) -> Claim:
    return Claim.model_validate(
        {
            "id": claim_id,
            "statement": f"Statement for {claim_id}.",
            "family": family,
            "watch": {"news": list(queries)},
            "retired": retired,
        }
    )


def test_each_distinct_news_query_becomes_one_google_news_search_feed():
    claims = [
        claim("h1b-fee-100k", "h1b", "H-1B $100,000 fee", "H-1B fee court"),
        claim("h1b-fee-other", "h1b", "h-1b  $100,000 FEE"),  # same query, other spelling
        claim("old-claim", "h1b", "retired query", retired=True),
        claim("china-chips", "export-controls", "NVIDIA China 中国"),
    ]

    specs = sources_for_claims(claims, google_news_base="http://127.0.0.1:9/rss/search")

    assert [spec.id for spec in specs] == ["gnews-h-1b-100-000-fee", "gnews-h-1b-fee-court", "gnews-nvidia-china"]
    fee = specs[0]
    assert fee.claims == ("h1b-fee-100k", "h1b-fee-other")
    assert fee.families == ("h1b",)
    parts = urlsplit(fee.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:9", "/rss/search")
    assert parse_qs(parts.query) == {"q": ["H-1B $100,000 fee"], "hl": ["en-US"], "gl": ["US"], "ceid": ["US:en"]}
    assert parse_qs(urlsplit(specs[2].url).query)["q"] == ["NVIDIA China 中国"]


def test_queries_that_slugify_alike_get_distinct_ids():
    specs = sources_for_claims([claim("a-claim", "x", "AI capex", "AI: capex!")])

    assert [spec.id for spec in specs] == ["gnews-ai-capex", "gnews-ai-capex-2"]
    assert specs[0].url.startswith("https://news.google.com/rss/search?q=AI+capex&")
