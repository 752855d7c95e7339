"""The one retry policy: capped exponential, and at least the whole window before giving up."""

from __future__ import annotations

from ventanilla.jobs.runner import Backoff
from ventanilla.settings import Settings


def test_delays_double_up_to_the_cap_and_respect_retry_after() -> None:
    policy = Backoff(base_seconds=5, cap_seconds=600, window_seconds=86_400)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert policy.delay(30) == 600 and policy.delay(500) == 600
    assert policy.delay(1, retry_after=90) == 90 and policy.delay(1, retry_after=10_000) == 600


def test_an_smtp_outage_is_retried_for_at_least_24_hours() -> None:
    policy = Settings().job_backoff()
    assert policy.window_seconds >= 24 * 3600
    attempts = 1
    while not policy.exhausted(attempts):
        attempts += 1
    # Every attempt before giving up was at most the cap apart, and together they cover the window.
    assert policy.waited(attempts - 1) >= 24 * 3600
    assert policy.waited(attempts - 2) < policy.window_seconds
    assert max(policy.delay(n) for n in range(1, attempts)) <= policy.cap_seconds


def test_waited_adds_up_every_delay() -> None:
    policy = Backoff(base_seconds=1, cap_seconds=8, window_seconds=100)
    assert policy.waited(0) == 0
    assert policy.waited(6) == sum(policy.delay(n) for n in range(1, 7)) == 1 + 2 + 4 + 8 + 8 + 8
