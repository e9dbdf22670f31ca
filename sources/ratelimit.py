"""Process-wide request pacing for hosts with a published rate rule (the SEC above all).

The SEC allows at most 10 requests per second per client across all of its hosts and
answers a faster (or undeclared) client with a 403 "Request Rate Threshold Exceeded"
page, after which the client stays blocked for about ten minutes. So the limiter both
spaces requests and, once that page is seen, makes every caller sit out a cool-down
instead of retrying into a longer block.

Across several worker processes the flow layer adds a Prefect global concurrency limit
on top, but `rate_limit()` on a limit that was never created only logs a warning and
lets the call through, so this in-process limiter must hold on its own.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable

SEC_MAX_RATE = 10.0  # requests per second: the SEC's published ceiling, never to be exceeded
SEC_DEFAULT_RATE = 5.0  # half the ceiling leaves room for other tools behind the same address
SEC_DEFAULT_COOLDOWN = 600.0  # seconds: the SEC lifts its block after about ten minutes

_WINDOW_MARGIN = 0.05  # seconds: the server counts on its own clock, after network jitter

# The SEC block page says both sentences; either one identifies it.
_THRESHOLD_MARKERS = (b"request rate threshold exceeded", b"undeclared automated tool")


class RateLimitConfigError(ValueError):
    """A limiter was configured with a rate it must not run at."""


def is_sec_threshold_page(body: bytes) -> bool:
    """True when a response body is the SEC's "Request Rate Threshold Exceeded" block page."""
    head = body[:20_000].lower()
    return any(marker in head for marker in _THRESHOLD_MARKERS)


class RateLimiter:
    """Spaces acquisitions at most `rate` per second and pauses everyone during a cool-down.

    Fixed spacing (a token bucket of size one) rather than bursts, because the SEC counts
    requests per second and a burst of ten at the edge of a second looks like twenty.
    Safe for many asyncio tasks and for several event loops in different threads: a slot is
    reserved under a short thread lock and waited for with `asyncio.sleep`, so no
    loop-bound primitive is shared.
    """

    def __init__(
        self,
        rate: float,
        *,
        max_rate: float | None = None,
        cooldown: float = SEC_DEFAULT_COOLDOWN,
        name: str = "requests",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ):
        self.name = name
        self._max_rate = max_rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._cool_until = 0.0
        self._recent: deque[float] = deque(maxlen=max(1, int(rate)) if rate > 0 else 1)
        self.rate = rate  # validated by the setter
        self.cooldown = cooldown

    @property
    def rate(self) -> float:
        """Requests per second this limiter allows."""
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        if value <= 0:
            raise RateLimitConfigError(f"{self.name} rate must be above 0 requests per second, got {value}")
        if self._max_rate is not None and value > self._max_rate:
            raise RateLimitConfigError(
                f"{self.name} rate {value:g} requests per second is above the allowed maximum of "
                f"{self._max_rate:g}; lower it (the default is {SEC_DEFAULT_RATE:g})"
            )
        self._rate = float(value)

    @property
    def cooldown(self) -> float:
        """Seconds every caller pauses after the server says we went too fast."""
        return self._cooldown

    @cooldown.setter
    def cooldown(self, value: float) -> None:
        if value < 0:
            raise RateLimitConfigError(f"{self.name} cool-down must not be negative, got {value}")
        self._cooldown = float(value)

    def cooldown_remaining(self) -> float:
        """Seconds left in the current cool-down (0 when none is running)."""
        return max(0.0, self._cool_until - self._clock())

    def start_cooldown(self, seconds: float | None = None) -> None:
        """Make every caller wait `seconds` (default: the configured cool-down) before the next request."""
        until = self._clock() + (self._cooldown if seconds is None else seconds)
        with self._lock:
            self._cool_until = max(self._cool_until, until)
            # Requests that had reserved a slot re-check the cool-down after waking, and
            # the first slot after it ends is spaced like any other.
            self._next_slot = max(self._next_slot, self._cool_until)

    async def acquire(self) -> None:
        """Wait until this caller may send one request."""
        interval = 1.0 / self._rate
        while True:
            with self._lock:
                now = self._clock()
                cool_until = self._cool_until
                if now >= cool_until:
                    slot = max(now, self._next_slot)
                    self._next_slot = slot + interval
            if now < cool_until:
                await self._sleep(cool_until - now)
                continue
            if slot > now:
                await self._sleep(slot - now)
            if self._clock() >= self._cool_until:
                break
            # A cool-down began while we waited for our slot: queue again behind it.
        await self._hold_the_window()

    async def _hold_the_window(self) -> None:
        # A task woken late followed by one woken on time can put rate+1 requests inside one
        # second as the server clocks them; so no release may come within a second (plus a
        # margin for network jitter) of the release `rate` requests earlier.
        while True:
            with self._lock:
                now = self._clock()
                recent = self._recent
                if recent.maxlen != max(1, int(self._rate)):
                    recent = self._recent = deque(recent, maxlen=max(1, int(self._rate)))
                if len(recent) < (recent.maxlen or 1) or now >= recent[0] + 1.0 + _WINDOW_MARGIN:
                    recent.append(now)
                    return
                wait = recent[0] + 1.0 + _WINDOW_MARGIN - now
            await self._sleep(wait)

    async def __aenter__(self) -> RateLimiter:
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


_shared: dict[str, RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(name: str, rate: float, *, max_rate: float | None = None, cooldown: float = 0.0) -> RateLimiter:
    """The one limiter of this process for `name`, created on first use and re-tuned to `rate`/`cooldown`."""
    with _shared_lock:
        limiter = _shared.get(name)
        if limiter is None:
            limiter = RateLimiter(rate, max_rate=max_rate, cooldown=cooldown, name=name)
            _shared[name] = limiter
        else:
            limiter.rate = rate
            limiter.cooldown = cooldown
        return limiter


def sec_limiter(rate: float = SEC_DEFAULT_RATE, cooldown: float = SEC_DEFAULT_COOLDOWN) -> RateLimiter:
    """The process-wide SEC limiter (every SEC host shares one budget); refuses rates above 10/s."""
    if rate > SEC_MAX_RATE:
        raise RateLimitConfigError(
            f"SEC EDGAR allows at most {SEC_MAX_RATE:g} requests per second; "
            f"CLAIMWATCH_SEC_RATE={rate:g} would breach its fair-access rule"
        )
    return shared_limiter("SEC EDGAR", rate, max_rate=SEC_MAX_RATE, cooldown=cooldown)
