"""Turn stored evidence into alert messages: plain text, Slack mrkdwn and HTML, with untrusted text escaped."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

from store.records import EvidenceRecord, one_per_story

# Slack rejects a section block longer than 3000 characters (apprise does not split
# Block Kit sections), so every mrkdwn body is kept below this budget.
SLACK_SECTION_LIMIT = 3000
_DIGEST_BUDGET = SLACK_SECTION_LIMIT - 200  # room for the "…and N more" line

# Caps on untrusted fields, in characters, applied before escaping.
_MAX_HEADLINE = 300
_MAX_STATEMENT = 400
_MAX_WHY = 500
_MAX_NAME = 80
_MAX_URL = 600

_VERDICTS: dict[str, tuple[str, str]] = {
    "confirms": ("\u2705", "CONFIRMS"),  # ✅
    "contradicts": ("\u274c", "CONTRADICTS"),  # ❌
    "mentions": ("\u2139\ufe0f", "MENTIONS"),  # ℹ️ (not normally alerted, rendered if asked)
}

# Slack mrkdwn has no backslash escape for its formatting characters, and "@everyone" /
# "@here" style text can be linkified into a ping. Inside untrusted text we swap these
# characters for look-alikes that Slack never interprets.
_MRKDWN_LOOKALIKES = str.maketrans(
    {
        "*": "\u2217",  # ∗ asterisk operator
        "_": "\u02cd",  # ˍ modifier letter low macron
        "~": "\u223c",  # ∼ tilde operator
        "`": "\u02cb",  # ˋ modifier letter grave accent
        "@": "\uff20",  # ＠ fullwidth commercial at
    }
)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """One notification in every format a target may want."""

    title: str  # short, built only from trusted values (verdict and claim id)
    text: str  # plain text
    markdown: str  # Slack mrkdwn
    html: str  # escaped HTML fragment for email


def render_alert(evidence: EvidenceRecord) -> AlertMessage:
    """Render one piece of evidence as an alert saying which claim, which verdict, and why."""
    item = evidence.item
    emoji, label = _verdict(evidence.stance)
    claim_id = _clean(evidence.claim_id, _MAX_NAME)
    statement = _clean(evidence.claim_statement, _MAX_STATEMENT)
    headline = _clean(item.title, _MAX_HEADLINE) or "(untitled)"
    publisher = _publisher(evidence)
    date = _date(item.published)
    why = _clean(evidence.why, _MAX_WHY)
    url = _clean(item.url, _MAX_URL)
    score = f"{evidence.score:.2f}"

    title = f"{emoji} {label}: {claim_id}"
    text = "\n".join(
        [
            f"{emoji} {label} claim {claim_id} (score {score})",
            f"Claim: {statement}",
            f"Headline: {headline}",
            f"Source: {publisher}",
            f"Date: {date}",
            f"Link: {url or 'no link'}",
            f"Why: {why}",
        ]
    )
    markdown = "\n".join(
        [
            f"{emoji} *{label}* claim `{_md(claim_id)}` (score {score})",
            f"*Claim:* {_md(statement)}",
            f"*Headline:* {_md_link(url, headline)}",
            f"*Source:* {_md(publisher)}",
            f"*Date:* {_md(date)}",
            f"*Why:* {_md(why)}",
        ]
    )
    rows = [
        ("Claim", f"{_h(statement)} <code>{_h(claim_id)}</code>"),
        ("Headline", _html_link(url, headline)),
        ("Source", _h(publisher)),
        ("Date", _h(date)),
        ("Why", _h(why)),
    ]
    body_html = (
        f"<p><strong>{emoji} {label}</strong> claim <code>{_h(claim_id)}</code> (score {score})</p>\n"
        + "<table>\n"
        + "".join(f"<tr><th align=\"left\">{name}</th><td>{value}</td></tr>\n" for name, value in rows)
        + "</table>"
    )
    return AlertMessage(title=title, text=text, markdown=markdown, html=body_html)


def render_digest(records: Sequence[EvidenceRecord], *, max_items: int = 50) -> AlertMessage:
    """Render many evidence records as one summary message, grouped by claim."""
    counts = {stance: sum(1 for r in records if r.stance == stance) for stance in _VERDICTS}
    tally = ", ".join(f"{n} {stance}" for stance, n in counts.items() if n)
    noun = "record" if len(records) == 1 else "records"
    ordered = sorted(records, key=lambda r: (r.claim_id, -_timestamp(r.item.published), r.evidence_id))
    stories = one_per_story(ordered)  # the same story from several feeds is one line
    told = f" in {len(stories)} stories" if len(stories) < len(records) else ""
    title = f"claimwatch digest: {len(records)} evidence {noun}{told}" + (f" ({tally})" if tally else "")
    if not records:
        empty = "No new evidence."
        return AlertMessage(title=title, text=empty, markdown=empty, html=f"<p>{empty}</p>")

    text_lines: list[str] = [title]
    md_lines: list[str] = [f"*{_md(title)}*"]
    html_parts: list[str] = [f"<p><strong>{_h(title)}</strong></p>"]
    md_size = len(md_lines[0])
    shown = 0
    current_claim: str | None = None
    for record, copies in stories[:max_items]:
        text_block, md_block, html_block = [], [], []
        if record.claim_id != current_claim:
            claim_id = _clean(record.claim_id, _MAX_NAME)
            statement = _clean(record.claim_statement, _MAX_STATEMENT)
            text_block.append(f"\n{claim_id}: {statement}")
            md_block.append(f"\n`{_md(claim_id)}` {_md(statement)}")
            html_block.append(f"<h3><code>{_h(claim_id)}</code> {_h(statement)}</h3>")
        emoji, label = _verdict(record.stance)
        headline = _clean(record.item.title, _MAX_HEADLINE) or "(untitled)"
        url = _clean(record.item.url, _MAX_URL)
        where = f"{_publisher(record)}, {_date(record.item.published)}"
        if copies:
            where += f", +{copies} more {'copy' if copies == 1 else 'copies'}"
        text_block.append(f"  {emoji} {label}: {headline} ({where}) {url}".rstrip())
        md_block.append(f"{emoji} *{label}* {_md_link(url, headline)} ({_md(where)})")
        html_block.append(f"<p>{emoji} <strong>{label}</strong> {_html_link(url, headline)} ({_h(where)})</p>")
        block_size = sum(len(line) + 1 for line in md_block)
        if md_size + block_size > _DIGEST_BUDGET:
            break
        current_claim = record.claim_id
        md_size += block_size
        text_lines.extend(text_block)
        md_lines.extend(md_block)
        html_parts.extend(html_block)
        shown += 1
    hidden = len(stories) - shown
    if hidden:
        more = f"…and {hidden} more"
        text_lines.append(more)
        md_lines.append(f"_{more}_")
        html_parts.append(f"<p><em>{more}</em></p>")
    return AlertMessage(
        title=title,
        text="\n".join(text_lines),
        markdown="\n".join(md_lines),
        html="\n".join(html_parts),
    )


def _verdict(stance: str) -> tuple[str, str]:
    return _VERDICTS.get(stance, ("\u2753", _clean(stance, 20).upper() or "UNKNOWN"))


def _publisher(evidence: EvidenceRecord) -> str:
    publisher = _clean(evidence.item.publisher, _MAX_NAME)
    source = _clean(evidence.item.source, _MAX_NAME)
    if publisher and source and publisher.lower() != source.lower():
        return f"{publisher} via {source}"
    return publisher or source or "unknown publisher"


def _date(published: datetime | None) -> str:
    if published is None:
        return "date unknown"
    if published.tzinfo is None:  # contract says aware UTC; a naive value is read as UTC
        published = published.replace(tzinfo=timezone.utc)
    return published.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _timestamp(published: datetime | None) -> float:
    if published is None:
        return 0.0
    if published.tzinfo is None:
        published = published.replace(tzinfo=timezone.utc)
    return published.timestamp()


def _clean(value: str, limit: int) -> str:
    """Drop control and format characters, fold whitespace to single spaces, cap the length.

    Folding newlines matters: a feed title must not be able to add lines that look like
    our own "Link:" or "Why:" rows.
    """
    kept = "".join(
        ch if unicodedata.category(ch)[0] != "C" else " " for ch in value if ch not in "\u200b\u200c\u200d\u2060\ufeff"
    )
    folded = _WHITESPACE.sub(" ", kept).strip()
    return folded if len(folded) <= limit else folded[: limit - 1].rstrip() + "…"


def _md(value: str) -> str:
    """Escape untrusted text for Slack mrkdwn: &, <, > per Slack's rules, formatting characters by look-alikes."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.translate(_MRKDWN_LOOKALIKES)


def _safe_url(url: str) -> str | None:
    """The URL if it is an absolute http(s) link we are willing to make clickable, else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _md_link(url: str, label: str) -> str:
    safe = _safe_url(url)
    if safe is None:
        return _md(label) + (f" ({_md(url)})" if url else "")
    # Inside <url|label> a "|" or ">" in the URL would end the link early; percent-encode
    # them, and escape & and < as Slack requires everywhere.
    target = quote(safe, safe=":/?#[]@!$&'()*+,;=%~-._")
    target = target.replace("&", "&amp;")
    return f"<{target}|{_md(label)}>"


def _h(value: str) -> str:
    return html.escape(value, quote=True)


def _html_link(url: str, label: str) -> str:
    safe = _safe_url(url)
    if safe is None:
        return _h(label) + (f" ({_h(url)})" if url else "")
    return f'<a href="{_h(safe)}">{_h(label)}</a>'
