"""Every completion policy against successes, failures and suspensions in many orders.

One slot: every combination of four items, run inline in index order.
Several slots: seeded shuffles of who finishes first, the real worker threads
driven to follow the model's schedule exactly.
"""

from __future__ import annotations

import itertools
import random

import pytest

from durable_lambda_concurrency import (
    BatchCompleted,
    BatchExecutor,
    Cancelled,
    ItemContext,
    NotStarted,
)

from .conftest import (
    BEHAVIOURS,
    POLICIES,
    WAIT,
    Driver,
    behave,
    check_against_model,
    model,
    seeded_chooser,
)


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_one_slot_every_combination_of_four_items(policy: str) -> None:
    config = POLICIES[policy]
    for behaviours in itertools.product(BEHAVIOURS, repeat=4):
        ran: list[int] = []

        def item(
            ctx: ItemContext, behaviours: tuple[str, ...] = behaviours, ran: list[int] = ran
        ) -> str:
            ran.append(ctx.index)
            return behave(behaviours[ctx.index], ctx.index)

        outcome = BatchExecutor(1, config).run([item] * 4)
        expected = model(behaviours, config, 1, lambda running: running[0])
        check_against_model(outcome, expected)
        assert ran == expected.schedule, behaviours


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("slots", [2, 3, None])
def test_several_slots_seeded_shuffles(policy: str, slots: int | None) -> None:
    config = POLICIES[policy]
    for seed in range(12):
        rng = random.Random(f"{policy}-{slots}-{seed}")
        behaviours = [rng.choice("SSSFFTU") for _ in range(6)]
        expected = model(behaviours, config, slots or len(behaviours), seeded_chooser(seed))
        driver = Driver(behaviours, {"max_concurrency": slots, "completion_config": config})
        try:
            outcome = driver.follow(expected)
        finally:
            driver.release_all()
        context = f"seed {seed}, behaviours {behaviours}"
        check_against_model(outcome, expected)
        assert outcome.workers.join(WAIT), context
        assert set(driver.started) == expected.started, context
        for index in expected.stragglers:
            assert outcome.outcomes[index] == Cancelled(), context
            assert driver.cancelled_seen[index] is True, context
        for index in set(range(len(behaviours))) - expected.started:
            assert outcome.outcomes[index] == NotStarted(), context
        if isinstance(outcome, BatchCompleted):
            counts = outcome.result
            assert counts.total_count == len(expected.started), context
