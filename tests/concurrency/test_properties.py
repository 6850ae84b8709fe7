"""Property tests: any mix of outcomes under any valid policy gives the counts the rules predict."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from durable_lambda_concurrency import (
    BatchCompleted,
    BatchExecutor,
    CompletionConfig,
    ItemContext,
    NotStarted,
)

from .conftest import BEHAVIOURS, behave, check_against_model, model

configs = st.builds(
    CompletionConfig,
    st.none() | st.integers(1, 10),
    st.none() | st.integers(0, 10),
    st.none() | st.integers(0, 100) | st.floats(0, 100),
)


@settings(deadline=None)
@given(behaviours=st.lists(st.sampled_from(BEHAVIOURS), max_size=10), config=configs)
def test_counts_match_the_model(behaviours: list[str], config: CompletionConfig) -> None:
    def item(ctx: ItemContext) -> Any:
        return behave(behaviours[ctx.index], ctx.index)

    outcome = BatchExecutor(1, config).run([item] * len(behaviours))
    expected = model(behaviours, config, 1, lambda running: running[0])
    check_against_model(outcome, expected)

    not_started = sum(1 for each in outcome.outcomes if each == NotStarted())
    assert len(outcome.outcomes) == len(behaviours)
    assert not_started == len(behaviours) - len(expected.started)
    if isinstance(outcome, BatchCompleted):
        result = outcome.result
        assert result.success_count + result.failure_count + result.started_count == (
            result.total_count
        )
        assert result.total_count == len(behaviours) - not_started
        assert result.success_count == behaviours[: result.total_count].count("S")
        assert result.failure_count == behaviours[: result.total_count].count("F")
        assert result.status.value == ("FAILED" if result.failure_count else "SUCCEEDED")
