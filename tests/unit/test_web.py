"""HTTP plumbing: the rate limits (on the `limits` library, in memory here)."""

from __future__ import annotations

import pytest

from ventanilla.errors import TooManyRequests
from ventanilla.ratelimit import RateLimits, Rule, per_minute


async def test_rate_limits_count_per_key_and_rule() -> None:
    limits = RateLimits.from_settings(None, "test")
    login = per_minute("login", 3)
    for _ in range(3):
        await limits.hit(login, "1.1.1.1")
    with pytest.raises(TooManyRequests) as refused:
        await limits.hit(login, "1.1.1.1")
    assert 1 <= refused.value.retry_after <= 60
    await limits.hit(login, "2.2.2.2")
    await limits.hit(per_minute("ask", 3), "1.1.1.1")


async def test_check_does_not_count_and_count_does_not_refuse() -> None:
    limits = RateLimits.from_settings(None, "test")
    failures = Rule("failures", "2/15 minutes;5/day")
    await limits.check(failures, "t1")
    await limits.count(failures, "t1")
    await limits.count(failures, "t1")
    await limits.count(failures, "t1")
    with pytest.raises(TooManyRequests) as locked:
        await limits.check(failures, "t1")
    assert 60 < locked.value.retry_after <= 15 * 60
    await limits.check(failures, "t2")
    await limits.clear(failures, "t1")
    await limits.check(failures, "t1")
