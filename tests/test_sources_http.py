"""fetch_url and the replay server: headers, caps, retries and politeness, against 127.0.0.1."""

from __future__ import annotations

import asyncio
import http.client
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from claimwatch.replay import ReplayServer
from sources import HostLimiter, RateLimitedError, RetryPolicy, SourceError, fetch_url, make_client
from sources.http import parse_retry_after

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
FAST_RETRY = RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=0.02, max_retry_after_s=0.05)
USER_AGENT = "claimwatch-tests/1 (+tests@example.org)"


@pytest.fixture
def server():
    with ReplayServer(FIXTURES) as replay:
        yield replay


@pytest.fixture
async def client():
    settings = SimpleNamespace(user_agent=USER_AGENT, http_timeout=2.0, fetch_concurrency=4)
    async with make_client(settings) as http:
        yield http


async def test_requests_carry_our_user_agent_and_ask_for_gzip(client, server):
    response = await fetch_url(client, server.url("nvidia_newsroom.xml"), max_bytes=1_000_000)

    [request] = server.requests_for("nvidia_newsroom.xml")
    assert request.headers["user-agent"] == USER_AGENT
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert request.content_encoding == "gzip"
    assert response.body == (FIXTURES / "nvidia_newsroom.xml").read_bytes()  # decoded
    assert response.content_type == "application/rss+xml; charset=utf-8"
    assert response.etag and response.last_modified and not response.not_modified


async def test_a_304_is_reported_as_not_modified_with_an_empty_body(client, server):
    first = await fetch_url(client, server.url("openai_news_atom.xml"), max_bytes=1_000_000)

    again = await fetch_url(client, server.url("openai_news_atom.xml"), max_bytes=1_000_000, etag=first.etag)

    assert again.not_modified and again.status == 304 and again.body == b""


async def test_redirects_are_followed_and_the_final_url_reported(client, server):
    response = await fetch_url(client, server.url("_fault/redirect?to=openai_news_atom.xml"), max_bytes=1_000_000)

    assert response.url == server.url("openai_news_atom.xml")
    assert response.body.startswith(b"<?xml")


async def test_a_declared_oversized_body_is_refused_before_reading_it(client, server):
    with pytest.raises(SourceError) as error:
        await fetch_url(client, server.url("_fault/huge?bytes=6000000"), max_bytes=5_000_000)

    assert error.value.kind == "too_large"
    assert error.value.message == "response body larger than 5.0 MB"


async def test_server_errors_are_retried_a_bounded_number_of_times(client, server):
    with pytest.raises(SourceError) as error:
        await fetch_url(client, server.url("_fault/status/503"), max_bytes=1000, retry=FAST_RETRY)

    assert (error.value.kind, error.value.http_status, error.value.message) == (
        "http_status",
        503,
        "service unavailable (503)",
    )
    assert len(server.requests_for("_fault/status/503")) == 3


async def test_client_errors_are_not_retried(client, server):
    with pytest.raises(SourceError) as error:
        await fetch_url(client, server.url("_fault/status/403"), max_bytes=1000, retry=FAST_RETRY)

    assert error.value.message == "access forbidden (403)"
    assert len(server.requests_for("_fault/status/403")) == 1


async def test_rate_limiting_keeps_retry_after_and_does_not_wait_longer_than_allowed(client, server):
    started = time.monotonic()
    with pytest.raises(RateLimitedError) as error:
        await fetch_url(client, server.url("_fault/429?retry_after=120"), max_bytes=1000, retry=FAST_RETRY)

    assert error.value.kind == "rate_limited"
    assert error.value.retry_after == 120
    assert error.value.message == "too many requests (429); retry after 120 s"
    assert len(server.requests_for("_fault/429")) == 1  # 120 s is beyond max_retry_after_s: give up now
    assert time.monotonic() - started < 1


async def test_a_short_retry_after_is_honoured_before_retrying(client, server):
    with pytest.raises(RateLimitedError):
        await fetch_url(client, server.url("_fault/429?retry_after=0"), max_bytes=1000, retry=FAST_RETRY)

    assert len(server.requests_for("_fault/429")) == 3


async def test_a_dropped_connection_is_a_network_error(client, server):
    with pytest.raises(SourceError) as error:
        await fetch_url(client, server.url("_fault/reset"), max_bytes=1000, retry=RetryPolicy(attempts=1))

    assert error.value.kind == "network"


async def test_an_unusable_url_is_a_config_error(client):
    with pytest.raises(SourceError) as error:
        await fetch_url(client, "gopher://127.0.0.1/feed", max_bytes=1000)

    assert error.value.kind == "config"


async def test_host_limiter_caps_concurrent_requests_per_host(client, server):
    limiter = HostLimiter(per_host=1)
    url = server.url("_fault/slow?seconds=0.2")

    started = time.monotonic()
    await asyncio.gather(*(fetch_url(client, url, max_bytes=10_000, limiter=limiter) for _ in range(3)))

    assert time.monotonic() - started >= 0.55  # one at a time, not all three in parallel
    arrivals = sorted(request.timestamp for request in server.requests_for("_fault/slow"))
    assert all(later - earlier >= 0.15 for earlier, later in zip(arrivals, arrivals[1:]))


async def test_host_limiter_spaces_request_starts(client, server):
    limiter = HostLimiter(per_host=4, min_interval_s=0.1)

    await asyncio.gather(
        *(fetch_url(client, server.url("openai_news_atom.xml"), max_bytes=100_000, limiter=limiter) for _ in range(3))
    )

    arrivals = sorted(request.timestamp for request in server.requests_for("openai_news_atom.xml"))
    assert arrivals[-1] - arrivals[0] >= 0.18


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("30") == 30
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    "path", ["/../../test_sources_http.py", "/%2e%2e/%2e%2e/test_sources_http.py", "/..%2F..%2Ftest_sources_http.py"]
)
def test_replay_server_refuses_paths_outside_its_directory(server, path):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
    connection.request("GET", path)  # http.client sends the path verbatim, unlike httpx

    assert connection.getresponse().status == 404
    connection.close()


def test_replay_server_serves_percent_encoded_names(server):
    assert httpx.get(server.url("nvidia%5Fnewsroom.xml")).status_code == 200


def test_replay_server_answers_if_modified_since_and_types_atom_feeds(server):
    first = httpx.get(server.url("openai_news_atom.xml"))
    again = httpx.get(server.url("openai_news_atom.xml"), headers={"If-Modified-Since": first.headers["Last-Modified"]})
    stale = httpx.get(server.url("openai_news_atom.xml"), headers={"If-None-Match": '"something-else"'})

    assert first.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert again.status_code == 304
    assert stale.status_code == 200
