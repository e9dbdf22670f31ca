"""Rendering evidence into alerts: every field present, untrusted feed text unable to ping or inject."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from alerts.render import SLACK_SECTION_LIMIT, render_alert, render_digest
from sources.item import Item
from store.records import EvidenceRecord

HOSTILE = "<!channel> @everyone *FREE* _GPUs_ <https://evil.example|click> & </b><script>alert(1)</script>"


def evidence(
    evidence_id: int = 1,
    *,
    claim_id: str = "stargate-10gw",
    stance: str = "confirms",
    title: str = "OpenAI and NVIDIA sign letter of intent for 10 GW of systems",
    url: str = "https://www.reuters.com/technology/openai-nvidia-10gw-2025-09-22/",
    published: datetime | None = datetime(2025, 9, 22, 14, 3, tzinfo=timezone.utc),
    publisher: str = "Reuters",
) -> EvidenceRecord:
    item = Item(
        id=f"item-{evidence_id}", title=title, url=url, published=published, source="google-news", publisher=publisher
    )
    return EvidenceRecord(
        evidence_id=evidence_id,
        claim_id=claim_id,
        claim_statement="OpenAI and NVIDIA will deploy at least 10 GW of NVIDIA systems (Stargate).",
        stance=stance,
        score=0.87,
        why="quantity 10 GW matches; entities OpenAI, NVIDIA; verb 'sign'",
        item=item,
        found_at=datetime(2025, 9, 22, 15, 0, tzinfo=timezone.utc),
    )


def test_alert_states_claim_verdict_headline_publisher_date_link_and_why() -> None:
    message = render_alert(evidence())
    for body in (message.text, message.markdown, message.html):
        assert "stargate-10gw" in body
        assert "OpenAI and NVIDIA will deploy at least 10 GW" in body
        assert "CONFIRMS" in body and "\u2705" in body
        assert "OpenAI and NVIDIA sign letter of intent for 10 GW of systems" in body
        assert "Reuters via google-news" in body
        assert "2025-09-22 14:03 UTC" in body
        assert "https://www.reuters.com/technology/openai-nvidia-10gw-2025-09-22/" in body
        assert "quantity 10 GW matches" in body
    assert message.title == "\u2705 CONFIRMS: stargate-10gw"
    assert "<https://www.reuters.com/technology/openai-nvidia-10gw-2025-09-22/|OpenAI and NVIDIA sign" in message.markdown
    assert '<a href="https://www.reuters.com/technology/openai-nvidia-10gw-2025-09-22/">' in message.html


def test_contradiction_is_marked_differently_from_confirmation() -> None:
    message = render_alert(evidence(stance="contradicts"))
    assert message.title.startswith("\u274c CONTRADICTS")
    assert "*CONTRADICTS*" in message.markdown
    assert "CONFIRMS" not in message.text


def test_missing_date_reads_date_unknown() -> None:
    message = render_alert(evidence(published=None))
    assert "Date: date unknown" in message.text
    assert "date unknown" in message.markdown and "date unknown" in message.html


def test_hostile_headline_cannot_ping_or_inject_slack_mrkdwn() -> None:
    message = render_alert(evidence(title=HOSTILE))
    md = message.markdown
    # The only <…> construct left is our own link to the story.
    links = re.findall(r"<([^<>]*)>", md)
    assert len(links) == 1
    assert links[0].startswith("https://www.reuters.com/technology/openai-nvidia-10gw-2025-09-22/|&lt;!channel&gt;")
    assert "<!channel>" not in md and "&lt;!channel&gt;" in md
    assert "@everyone" not in md
    assert "*FREE*" not in md and "_GPUs_" not in md
    assert "&amp;" in md and " & " not in md.replace("&amp;", "")


def test_hostile_headline_is_escaped_in_html_and_left_readable_in_text() -> None:
    message = render_alert(evidence(title=HOSTILE))
    assert "<script>" not in message.html and "</b>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert "<!channel> @everyone" in message.text  # plain text is not markup; apprise escapes it per target


def test_headline_newlines_cannot_forge_extra_rows() -> None:
    message = render_alert(evidence(title="NVIDIA invests\nLink: https://evil.example\r\nWhy: trust me"))
    assert [line for line in message.text.splitlines() if line.startswith("Link:")] == [
        "Link: https://www.reuters.com/technology/openai-nvidia-10gw-2025-09-22/"
    ]
    assert len(message.text.splitlines()) == 7


def test_non_http_links_are_shown_but_not_clickable() -> None:
    message = render_alert(evidence(url="javascript:alert(document.cookie)"))
    assert "href" not in message.html
    assert "<javascript" not in message.markdown
    assert "javascript:alert(document.cookie)" in message.text


def test_url_with_pipe_or_angle_bracket_cannot_break_out_of_the_slack_link() -> None:
    message = render_alert(evidence(url="https://example.com/a|<!channel>?x=1&y=2"))
    links = re.findall(r"<([^<>]*)>", message.markdown)
    assert len(links) == 1
    target, label = links[0].split("|", 1)
    assert target == "https://example.com/a%7C%3C!channel%3E?x=1&amp;y=2"
    assert label.startswith("OpenAI and NVIDIA")


def test_long_fields_are_truncated_to_fit_slack() -> None:
    message = render_alert(evidence(title="GPU " * 2000))
    assert len(message.markdown) < SLACK_SECTION_LIMIT
    assert "\u2026" in message.text
    assert len(message.title) <= 150  # Slack header blocks reject longer text


def test_digest_lists_every_record_grouped_by_claim() -> None:
    records = [evidence(i, claim_id="stargate-10gw", title=f"Stargate story {i}") for i in range(1, 4)]
    records += [
        evidence(i, claim_id="h1b-fee-100k", stance="contradicts", title=f"H-1B story {i}", published=None)
        for i in range(4, 6)
    ]
    digest = render_digest(records)
    assert digest.title == "claimwatch digest: 5 evidence records (3 confirms, 2 contradicts)"
    for body in (digest.text, digest.markdown, digest.html):
        for i in range(1, 4):
            assert f"Stargate story {i}" in body
        for i in range(4, 6):
            assert f"H-1B story {i}" in body
        assert body.count("h1b-fee-100k") == 1 and body.count("stargate-10gw") == 1
    assert digest.text.index("h1b-fee-100k") < digest.text.index("stargate-10gw")
    assert "more" not in digest.text


def test_digest_shows_the_same_story_from_several_feeds_once_with_its_copies_counted() -> None:
    from dataclasses import replace
    story = [replace(evidence(i, publisher=name), story_id="item-1") for i, name in ((1, "Reuters"), (2, "CNBC"),
                                                                                   (3, "Yahoo"))]
    reversal = replace(evidence(4, stance="contradicts", title="Nvidia and OpenAI drop 10 GW plan"), story_id="item-1")
    digest = render_digest([*story, reversal, evidence(5, title="Another 10 GW story")])
    assert digest.title == "claimwatch digest: 5 evidence records in 3 stories (4 confirms, 1 contradicts)"
    for body in (digest.text, digest.markdown, digest.html):
        assert body.count("sign letter of intent for 10 GW") == 1 and "+2 more copies" in body
        assert "drop 10 GW plan" in body and "Another 10 GW story" in body  # another stance is another line


def test_digest_of_many_records_fits_one_slack_section_and_counts_the_rest() -> None:
    records = [evidence(i, title=f"Capex story number {i} " + "x" * 80) for i in range(200)]
    digest = render_digest(records)
    assert len(digest.markdown) <= SLACK_SECTION_LIMIT
    shown = digest.text.count("Capex story number")
    assert 0 < shown < 200
    assert digest.text.endswith(f"\u2026and {200 - shown} more")
    assert digest.html.count("Capex story number") == shown


def test_digest_escapes_hostile_headlines() -> None:
    digest = render_digest([evidence(title=HOSTILE)])
    assert "<!channel>" not in digest.markdown and "@everyone" not in digest.markdown
    assert "<script>" not in digest.html


def test_empty_digest_says_there_is_nothing_new() -> None:
    digest = render_digest([])
    assert digest.title == "claimwatch digest: 0 evidence records"
    assert digest.text == "No new evidence."
