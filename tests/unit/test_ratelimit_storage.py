"""A rate-limit store that cannot be reached fails closed with a clear 503, never a 500 or a skipped limit."""

from __future__ import annotations

import pytest

from ventanilla.errors import Unavailable
from ventanilla.ratelimit import RateLimits, per_minute


async def test_unreachable_redis_is_unavailable_not_a_crash() -> None:
    limits = RateLimits.from_settings("redis://127.0.0.1:1/0", "test-down")  # nothing listens on port 1
    rule = per_minute("pin", 5)
    with pytest.raises(Unavailable):
        await limits.hit(rule, "client")
    with pytest.raises(Unavailable):
        await limits.check(rule, "client")
