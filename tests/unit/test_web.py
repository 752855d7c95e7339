"""HTTP plumbing: the rate limiter."""

from __future__ import annotations

import pytest

from ventanilla.errors import TooManyRequests
from ventanilla.web import RateLimiter


def test_rate_limiter_counts_per_client_and_bucket() -> None:
    limiter = RateLimiter()
    for _ in range(3):
        limiter.check("login", "1.1.1.1", 3)
    with pytest.raises(TooManyRequests):
        limiter.check("login", "1.1.1.1", 3)
    limiter.check("login", "2.2.2.2", 3)
    limiter.check("ask", "1.1.1.1", 3)
