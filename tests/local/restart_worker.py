"""A local service in its own process, for the restart tests (run as a script).

    python restart_worker.py DB start wait|step   start an execution, report progress
    python restart_worker.py DB finish ARN        reopen the store and finish it

``start`` runs on the wall clock; it prints ``arn <ARN>`` and then ``ready`` once the
execution sits in its one-hour wait (``wait``) or inside a step (``step``) and blocks
until killed. ``finish`` runs on a skipping clock, so the wait ends at once. ``finish`` prints one
JSON line with the outcome, the operations and the history.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

from durable_lambda import DurableContext, StepContext, durable_execution
from durable_lambda.config import Duration
from durable_lambda_local import (
    Clock,
    DurableExecutionService,
    FunctionRegistry,
    LocalFunction,
    RealClock,
    SkipClock,
    SqliteStore,
)

BLOCK = threading.Event()
REPORT = threading.Lock()
STARTED: dict[str, Any] = {}
ARN_KNOWN = threading.Event()


def report(line: str) -> None:
    """One whole line to the test, even when two threads report at once."""
    with REPORT:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


MODE = {"block_in_step": False}


def slow(step_context: StepContext) -> str:
    if MODE["block_in_step"]:
        # The SDK sends this step's START in the background; report only once it is
        # stored, so the kill lands inside a step the service knows has started.
        ARN_KNOWN.wait()
        local, arn = STARTED["service"], STARTED["arn"]
        local.run_until(
            lambda: any(
                op.name == "slow" and op.status.value == "STARTED"
                for op in local.operation_records(arn)
            ),
            timeout=30,
        )
        report("ready")
        BLOCK.wait()
    return "slow done"


@durable_execution
def handler(event: Any, context: DurableContext) -> Any:
    first = context.step(lambda _: "before", name="before")
    second = context.step(slow, name="slow")
    context.wait(Duration.from_hours(1), name="nap")
    return [first, second, context.step(lambda _: "after", name="after")]


def service(path: str, clock: Clock) -> DurableExecutionService:
    # Registered before the service opens the store: a reopened store resumes its
    # unfinished executions at once.
    functions = FunctionRegistry()
    functions.register(LocalFunction("worker", handler, execution_timeout=86_400))
    return DurableExecutionService(store=SqliteStore(path), clock=clock, functions=functions)


def start(path: str, scenario: str) -> None:
    MODE["block_in_step"] = scenario == "step"
    local = service(path, RealClock())
    arn, _ = local.start_execution("worker", '{"run": 1}', execution_name="restart-me")
    STARTED.update(service=local, arn=arn)
    ARN_KNOWN.set()
    report(f"arn {arn}")
    if scenario == "wait":

        def waiting() -> bool:
            record = local.execution_record(arn)
            names = {op.name: op.status.value for op in local.operation_records(arn)}
            return names.get("nap") == "STARTED" and not record.invocation_active

        local.run_until(waiting, timeout=60)
        report("ready")
    threading.Event().wait()


def finish(path: str, arn: str) -> None:
    local = service(path, SkipClock())
    record = local.wait_for_execution(arn, timeout=60)
    history = []
    marker = None
    while True:
        page = local.get_durable_execution_history(arn, max_items=1000, marker=marker)
        history.extend(event.to_dict() for event in page.events)
        marker = page.next_marker
        if marker is None:
            break
    print(
        json.dumps(
            {
                "status": record.status.value,
                "result": record.result,
                "operations": [
                    [op.name, op.status.value, op.attempt] for op in local.operation_records(arn)
                ],
                "history": history,
            },
            default=str,
        ),
        flush=True,
    )
    local.close()


if __name__ == "__main__":
    if sys.argv[2] == "start":
        start(sys.argv[1], sys.argv[3])
    else:
        finish(sys.argv[1], sys.argv[3])
