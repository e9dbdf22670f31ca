"""The in-process request limiter: spacing under concurrency, the SEC ceiling, the cool-down."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from sources.ratelimit import (
    RateLimitConfigError,
    RateLimiter,
    is_sec_threshold_page,
    sec_limiter,
)

FIXTURES = Path(__file__).parent / "fixtures" / "edgar"


async def test_concurrent_callers_are_released_no_earlier_than_their_slots():
    limiter = RateLimiter(40)  # 25 ms apart: quick enough for a real clock
    stamps: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        stamps.append(time.monotonic())

    began = time.monotonic()
    await asyncio.gather(*(one() for _ in range(16)))
    stamps.sort()
    for index, stamp in enumerate(stamps):
        assert stamp - began >= index * 0.025 - 0.002  # timer granularity only
    assert stamps[-1] - began == pytest.approx(15 * 0.025, abs=0.15)


async def test_no_second_holds_more_releases_than_the_rate_even_when_tasks_wake_late():
    limiter = RateLimiter(8)
    stamps: list[float] = []

    async def one(index: int) -> None:
        await limiter.acquire()
        stamps.append(time.monotonic())
        if index % 3 == 0:
            time.sleep(0.03)  # a busy event loop wakes the next task late

    await asyncio.gather(*(one(i) for i in range(17)))
    stamps.sort()
    for index in range(len(stamps) - 8):
        assert stamps[index + 8] - stamps[index] >= 1.0


async def test_rate_above_the_sec_ceiling_is_refused_with_a_clear_message():
    with pytest.raises(RateLimitConfigError, match="at most 10 requests per second"):
        sec_limiter(rate=12)
    with pytest.raises(RateLimitConfigError, match="above the allowed maximum of 10"):
        RateLimiter(11, max_rate=10, name="SEC EDGAR")


async def test_zero_rate_is_refused():
    with pytest.raises(RateLimitConfigError, match="above 0"):
        RateLimiter(0)


async def test_callers_wait_out_a_cooldown_then_resume_at_the_normal_pace():
    limiter = RateLimiter(20, cooldown=0.3)
    await limiter.acquire()
    began = time.monotonic()
    limiter.start_cooldown()
    assert 0.25 < limiter.cooldown_remaining() <= 0.3
    stamps: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        stamps.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(3)))
    stamps.sort()
    assert stamps[0] - began >= 0.3 - 0.002
    assert stamps[1] - stamps[0] >= 0.05 - 0.002
    assert limiter.cooldown_remaining() == 0


async def test_a_caller_already_waiting_for_its_slot_honours_a_cooldown_started_meanwhile():
    limiter = RateLimiter(2, cooldown=0.4)  # real clock: slots 0.5 s apart
    await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.05)
    began = time.monotonic()
    limiter.start_cooldown()
    await waiter
    assert time.monotonic() - began >= 0.39


async def test_shared_sec_limiter_is_one_instance_per_process_and_takes_new_settings():
    first = sec_limiter(rate=5, cooldown=600)
    second = sec_limiter(rate=8, cooldown=1)
    assert first is second
    assert second.rate == 8 and second.cooldown == 1


def test_the_sec_block_page_is_recognised_by_its_wording():
    page = (FIXTURES / "threshold_403.html").read_bytes()
    assert is_sec_threshold_page(page)
    assert not is_sec_threshold_page(b"<html><body>Access Denied</body></html>")
    assert not is_sec_threshold_page(b'{"cik": "0001045810", "filings": {}}')


def test_settings_refuse_an_sec_rate_above_ten(monkeypatch):
    from pydantic import ValidationError

    from claimwatch.settings import Settings

    monkeypatch.setenv("CLAIMWATCH_SEC_RATE", "11")
    with pytest.raises(ValidationError, match="at most 10 requests per second"):
        Settings()
    monkeypatch.setenv("CLAIMWATCH_SEC_RATE", "10")
    assert Settings().sec_rate == 10
