"""HTTP for every source: one shared async client, and `fetch_url`, which names every failure as a `SourceError`."""

from __future__ import annotations

import asyncio
import email.utils
import errno
import random
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from sources.errors import SourceError

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


class ClientSettings(Protocol):
    """The settings `make_client` reads (satisfied by `claimwatch.settings.Settings`)."""

    user_agent: str
    http_timeout: float
    fetch_concurrency: int


@dataclass(frozen=True, slots=True)
class FetchResponse:
    """What a successful (or 304) fetch produced: the body and the validators for the next conditional GET."""

    status: int
    body: bytes
    url: str  # final URL after redirects
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    not_modified: bool = False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often transient failures (timeout, network, 5xx, 429) are retried, and how long to wait between tries."""

    attempts: int = 3  # total tries, including the first
    backoff_s: float = 1.0  # first wait; doubles each retry
    max_backoff_s: float = 8.0
    max_retry_after_s: float = 30.0  # a 429 asking us to wait longer than this is not retried now

    def wait_before(self, retry_number: int, retry_after: float | None = None) -> float:
        """Seconds to sleep before retry number `retry_number` (1-based)."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after_s)
        base = min(self.backoff_s * 2 ** (retry_number - 1), self.max_backoff_s)
        return base * random.uniform(0.8, 1.2)  # jitter so parallel sources do not retry in lockstep


NO_RETRY = RetryPolicy(attempts=1)


class RateLimitedError(SourceError):
    """A 429 (or equivalent) answer; `retry_after` is the server's requested wait in seconds, when it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, http_status: int | None = 429):
        super().__init__("rate_limited", message, http_status=http_status)
        self.retry_after = retry_after


class HostLimiter:
    """Per-host politeness: at most `per_host` requests in flight and `min_interval_s` between request starts.

    Create one per event loop and share it between the sources that hit the same hosts
    (SEC EDGAR, for instance, asks for no more than 10 requests a second).
    """

    def __init__(self, *, per_host: int = 2, min_interval_s: float = 0.0):
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        self.per_host = per_host
        self.min_interval_s = min_interval_s
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_start: dict[str, float] = {}

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold one of the host's request slots for the duration of a request."""
        host = (urlsplit(url).hostname or "").lower()
        semaphore = self._semaphores.setdefault(host, asyncio.Semaphore(self.per_host))
        async with semaphore:
            if self.min_interval_s > 0:
                lock = self._locks.setdefault(host, asyncio.Lock())
                async with lock:
                    now = time.monotonic()
                    start = max(now, self._next_start.get(host, now))
                    self._next_start[host] = start + self.min_interval_s
                if start > now:
                    await asyncio.sleep(start - now)
            yield


def make_client(settings: ClientSettings) -> httpx.AsyncClient:
    """Build the shared async HTTP client: timeouts, redirects, compression, User-Agent and connection limits."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={
            "User-Agent": settings.user_agent,
            # Only what httpx decodes without optional packages; brotli/zstd would arrive undecodable.
            "Accept-Encoding": "gzip, deflate",
        },
        limits=httpx.Limits(
            max_connections=settings.fetch_concurrency * 2,
            max_keepalive_connections=settings.fetch_concurrency,
        ),
    )


async def fetch_url(
    client: httpx.AsyncClient,
    url: str,
    *,
    max_bytes: int,
    etag: str | None = None,
    last_modified: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    retry: RetryPolicy | None = None,
    limiter: HostLimiter | None = None,
    error_body_bytes: int = 0,
) -> FetchResponse:
    """GET `url` conditionally, streaming at most `max_bytes`; raise a named `SourceError` on any failure."""
    policy = retry or RetryPolicy()
    seconds = timeout if timeout is not None else _client_timeout(client)
    request_headers = dict(headers or {})
    if etag:
        request_headers["If-None-Match"] = etag
    if last_modified:
        request_headers["If-Modified-Since"] = last_modified

    attempt = 1
    while True:
        try:
            if limiter is not None:
                async with limiter.slot(url):
                    return await _fetch_once(client, url, request_headers, max_bytes, seconds, error_body_bytes)
            return await _fetch_once(client, url, request_headers, max_bytes, seconds, error_body_bytes)
        except SourceError as exc:
            retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
            if attempt >= policy.attempts or not _is_transient(exc):
                raise
            if retry_after is not None and retry_after > policy.max_retry_after_s:
                raise  # the server wants a longer pause than a run should wait; the next run tries again
            await asyncio.sleep(policy.wait_before(attempt, retry_after))
            attempt += 1


async def _fetch_once(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    max_bytes: int,
    seconds: float,
    error_body_bytes: int = 0,
) -> FetchResponse:
    # httpx timeouts apply to each read; the overall deadline stops a server that trickles bytes forever.
    try:
        async with asyncio.timeout(seconds):
            async with client.stream("GET", url, headers=headers, timeout=seconds) as response:
                if response.status_code == 304:
                    return _response(response, b"", not_modified=True)
                if error_body_bytes and response.status_code >= 400:
                    # Some hosts say why in the page (the SEC's rate-threshold page is a 403).
                    excerpt = bytearray()
                    async for chunk in response.aiter_bytes(_CHUNK):
                        excerpt += chunk
                        if len(excerpt) >= error_body_bytes:
                            break
                    try:
                        _raise_for_status(response)
                    except SourceError as exc:
                        exc.body = bytes(excerpt[:error_body_bytes])
                        raise
                _raise_for_status(response)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise SourceError("too_large", _too_large(max_bytes), http_status=response.status_code)
                body = bytearray()
                async for chunk in response.aiter_bytes(_CHUNK):
                    body += chunk
                    if len(body) > max_bytes:
                        raise SourceError("too_large", _too_large(max_bytes), http_status=response.status_code)
                return _response(response, bytes(body))
    except SourceError:
        raise
    except (TimeoutError, httpx.TimeoutException):
        raise SourceError("timeout", f"network timeout after {seconds:g} s") from None
    except httpx.TooManyRedirects:
        raise SourceError("too_many_redirects", f"too many redirects (more than {MAX_REDIRECTS})") from None
    except httpx.DecodingError:
        raise SourceError("malformed", "the response body could not be decompressed") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise SourceError("config", "the source URL is not a valid http(s) URL") from None
    except httpx.ConnectError as exc:
        raise SourceError("network", _connect_error_sentence(exc)) from None
    except httpx.RemoteProtocolError:
        raise SourceError("network", "the server closed the connection or sent an invalid HTTP response") from None
    except httpx.TransportError:
        raise SourceError("network", "the connection failed while reading the response") from None


def _response(response: httpx.Response, body: bytes, *, not_modified: bool = False) -> FetchResponse:
    return FetchResponse(
        status=response.status_code,
        body=body,
        url=str(response.url),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        content_type=response.headers.get("Content-Type", ""),
        not_modified=not_modified,
    )


_STATUS_SENTENCES = {
    400: "bad request",
    401: "authentication required",
    403: "access forbidden",
    404: "not found",
    410: "gone",
}


def _raise_for_status(response: httpx.Response) -> None:
    code = response.status_code
    if code < 400:
        return
    if code == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        hint = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        raise RateLimitedError(f"too many requests (429){hint}", retry_after=retry_after)
    if code >= 500:
        sentence = "service unavailable" if code == 503 else "server error"
    else:
        sentence = _STATUS_SENTENCES.get(code, "client error")
    raise SourceError("http_status", f"{sentence} ({code})", http_status=code)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _is_transient(exc: SourceError) -> bool:
    if exc.kind in ("timeout", "network", "rate_limited"):
        return True
    return exc.kind == "http_status" and exc.http_status is not None and exc.http_status >= 500


def _too_large(max_bytes: int) -> str:
    if max_bytes >= 100_000:
        return f"response body larger than {max_bytes / 1_000_000:.1f} MB"
    if max_bytes >= 1_000:
        return f"response body larger than {max_bytes / 1_000:.1f} kB"
    return f"response body larger than {max_bytes} bytes"


def _client_timeout(client: httpx.AsyncClient) -> float:
    read = client.timeout.read
    return read if read is not None else 20.0


def _connect_error_sentence(exc: httpx.ConnectError) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        number = getattr(cause, "errno", None)
        if number == errno.ECONNREFUSED:
            return "connection refused"
        if number in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "host unreachable"
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text or "name resolution" in text:
        return "host name could not be resolved (DNS)"
    if "ssl" in text or "certificate" in text:
        return "TLS handshake failed"
    return "could not connect to the server"
