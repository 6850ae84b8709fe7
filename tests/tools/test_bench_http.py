"""W8 of tools/bench/reference/: ``durable-lambda serve`` in a subprocess, driven by boto3.

Checked for what the cases do (calls made, executions finished, errors surfaced), never
for how fast.
"""

from __future__ import annotations

from typing import Any

import _http_workload
import pytest
import workloads
from _sdk import OURS, REFERENCE, Sdk, Unavailable
from _served import ServeError, serve


def run_once(case: Any) -> dict[str, Any]:
    state = case.setup()
    try:
        return dict(case.run(state) or {})
    finally:
        if case.teardown is not None:
            case.teardown(state)


def test_checkpoint_calls_and_invokes_run_against_the_memory_store() -> None:
    factories = _http_workload.cases(
        Sdk(OURS).serve_command(), checkpoint_sizes=(3,), invoke_sizes=(2,)
    )
    try:
        checkpoints = next(factories)()
        invokes = next(factories)()

        checkpoint_counters = run_once(checkpoints)
        invoke_counters = run_once(invokes)
        # A second hand-over gets a new execution and a fresh token chain.
        assert run_once(checkpoints) == checkpoint_counters
    finally:
        factories.close()  # stops the server

    assert (checkpoints.variant, checkpoints.mode, checkpoints.unit) == (
        "raw checkpoint calls, memory store",
        "http",
        "call",
    )
    assert checkpoint_counters == {"checkpoint_calls": 3, "updates": 3}
    assert invokes.variant == "3-step executions via Invoke, memory store"
    assert invoke_counters == {"invocations": 2}


def test_the_reference_side_reports_why_it_has_no_http_workload() -> None:
    with pytest.raises(Unavailable, match="no Invoke route; W8 is measured for ours only"):
        Sdk(REFERENCE).serve_command()


def test_w8_is_one_unavailable_row_for_an_sdk_without_a_server() -> None:
    rows = workloads.run_workloads(Sdk(REFERENCE), quick=True, only={"W8"})

    assert [(row["workload"], row["available"]) for row in rows] == [("W8", False)]
    assert "web runner" in rows[0]["reason"]


def test_a_server_that_cannot_start_is_an_error_with_its_output() -> None:
    broken = {"three": "no_such_module_for_bench:handler"}

    with (
        pytest.raises(ServeError, match="exited with 2 before announcing its URL") as raised,
        serve(Sdk(OURS).serve_command(), broken, "memory"),
    ):
        pass

    assert "no_such_module_for_bench" in str(raised.value)


def test_an_unknown_store_is_refused() -> None:
    with (
        pytest.raises(ValueError, match=r"store: expected one of .* got 'disk'"),
        serve(["durable-lambda"], {}, "disk"),
    ):
        pass
