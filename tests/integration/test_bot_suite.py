"""The outsiders' conversation suite, fast subset: every 6th dialogue of A1 and A2 (a rule fixed before any run),
played against a real server. The floor is the pass rate this subset reached at the last change to the bot; the full
suite is `benchmarks/bot_suite.py`."""

from __future__ import annotations

from tests.conversations.runner import fast_subset, load, play_all, report, running_suite

FLOOR = 43 / 44
"""Passed dialogues / dialogues of the subset at the last change to the bot: 44 of 44 (bot21c; 29 at bot21's last
change, 10 before it). One below, so a single WhatsApp delivery lost to a loaded machine does not fail `make test`."""


async def test_the_fast_subset_of_the_outsiders_suite_passes_at_its_floor() -> None:
    dialogues = fast_subset(load("outsiders_A1.json")) + fast_subset(load("outsiders_A2.json"))
    assert len(dialogues) >= 40
    async with running_suite() as suite:
        outcomes = await play_all(suite, dialogues)
    summary = report(outcomes, "fast subset")
    failures = {o.id: o.failures for o in outcomes if not o.passed}
    assert summary["passed"] / summary["dialogues"] >= FLOOR, (summary, failures)  # the rate is rounded: not it


async def test_our_own_dialogues_pass() -> None:
    async with running_suite() as suite:
        outcomes = await play_all(suite, load("own.json"))
    assert all(o.passed for o in outcomes), {o.id: (o.failures, o.transcript) for o in outcomes if not o.passed}
