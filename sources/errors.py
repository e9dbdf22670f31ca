"""Named fetch errors: every way a source can fail, with a sentence a person can act on."""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal[
    "timeout",  # the server did not answer in time
    "network",  # DNS, refused connection, TLS, reset
    "http_status",  # 4xx/5xx other than the ones below
    "rate_limited",  # 429, or the SEC's "Request Rate Threshold Exceeded" page
    "too_large",  # body over the configured cap
    "too_many_redirects",
    "not_a_feed",  # HTML or other content where a feed/JSON was expected
    "malformed",  # a feed or JSON document that cannot be parsed
    "config",  # the source cannot run as configured (e.g. no SEC contact address)
]


class SourceError(Exception):
    """A source failed in a named way; the run records it and continues with other sources."""

    def __init__(self, kind: ErrorKind, message: str, *, source_id: str = "", http_status: int | None = None):
        self.kind: ErrorKind = kind
        self.message = message
        self.source_id = source_id
        self.http_status = http_status
        self.body = b""  # the start of an error page, when the fetch was asked to keep it (error_body_bytes)
        super().__init__(f"{kind}: {message}")
