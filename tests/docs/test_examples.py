"""Every handler in docs/examples/ runs to the result its docstring promises.

The pages show excerpts of these files (see test_docs.py); here each file runs whole
through the local test runner, on the virtual clock, and its result is asserted. A new
example file needs a test here: ``test_every_example_is_tested`` fails otherwise.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from durable_lambda.execution import InvocationStatus
from durable_lambda_client import OperationStatus
from durable_lambda_local import DurableFunctionTestRunner

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
TESTED = {"approval_workflow.py", "order_workflow.py", "welcome.py"}
LONG = 7 * 24 * 3600  # an execution timeout that lets the examples' waits of days pass


def load(name: str) -> ModuleType:
    """Import ``docs/examples/<name>.py`` under a private module name."""
    path = EXAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"docs_example_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def examples() -> Iterator[None]:
    yield
    for name in [n for n in sys.modules if n.startswith("docs_example_")]:
        del sys.modules[name]


def test_every_example_is_tested() -> None:
    found = {path.name for path in EXAMPLES.glob("*.py")}
    assert found == TESTED, f"examples without a test here: {sorted(found - TESTED)}"
    assert not [name for name in found if name.startswith("test_")], (
        "pytest would collect docs/examples/test_*.py as tests: rename it"
    )


@pytest.mark.usefixtures("examples")
def test_welcome_greets_then_sends_a_tip_a_day_later() -> None:
    welcome = load("welcome")
    with DurableFunctionTestRunner(welcome.handler, execution_timeout=LONG) as runner:
        result = runner.run(input={"name": "Ada"})
    assert result.status is InvocationStatus.SUCCEEDED
    assert result.value == {
        "user": "Ada",
        "messages": ["msg-Ada-14", "msg-Ada-25"],
    }
    wait = result.get_wait("one-day")
    assert (wait.end_timestamp - wait.start_timestamp).days == 1
    assert result.invocation_count == 2


@pytest.mark.usefixtures("examples")
def test_order_workflow_reserves_pays_and_ships() -> None:
    order_workflow = load("order_workflow")
    order = {
        "order_id": "A-1001",
        "items": [
            {"sku": "book", "quantity": 2, "unit_price": 12.5},
            {"sku": "pen", "quantity": 10, "unit_price": 1.2},
        ],
    }
    with DurableFunctionTestRunner(order_workflow.handler, execution_timeout=LONG) as runner:
        result = runner.run(input=order)
    assert result.status is InvocationStatus.SUCCEEDED, result.error
    assert result.value == {
        "order_id": "A-1001",
        "total": 37.0,
        "reserved": ["book", "pen"],
        "payment": "auth-A-1001",
        "tracking": "TRACK-A-1001",
    }
    payment = result.get_context("payment")
    assert [op.name for op in payment.child_operations] == [
        "authorize",
        "settlement-window",
        "capture",
    ]
    assert result.get_context("reserve-stock").status is OperationStatus.SUCCEEDED


@pytest.mark.usefixtures("examples")
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b'{"approved": true}', {"request_id": "PR-7", "status": "booked", "amount": 420}),
        (b'{"approved": false}', {"request_id": "PR-7", "status": "rejected"}),
    ],
)
def test_approval_workflow_books_only_what_is_approved(
    answer: bytes, expected: dict[str, object]
) -> None:
    approval_workflow = load("approval_workflow")
    with DurableFunctionTestRunner(approval_workflow.handler, execution_timeout=LONG) as runner:
        arn = runner.run_async(input={"request_id": "PR-7", "amount": 420})
        runner.send_callback_success(name="manager-approval", execution_arn=arn, result=answer)
        result = runner.wait_for_result(arn)
    assert result.status is InvocationStatus.SUCCEEDED, result.error
    value = result.value
    assert {key: value[key] for key in expected} == expected
    if expected["status"] == "booked":
        assert value["booking"] == "BK-PR-7"
