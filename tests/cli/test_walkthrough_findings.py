"""What a first user met following the documentation with the packages installed from
their wheels, each pinned here so that it stays fixed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from durable_lambda_local.cli._errors import CliError
from durable_lambda_local.cli._targets import load_target

REPO = Path(__file__).resolve().parents[2]
HANDLERS = "tests/cli/handlers.py"

_DECORATED_HELPERS = """
from durable_lambda import (
    durable_execution,
    durable_step,
    durable_wait_for_callback,
    durable_with_child_context,
)


@durable_step
def send_email(step_context, to):
    return to


@durable_with_child_context
def payment(context, amount):
    return amount


@durable_wait_for_callback
def ask(callback_id, context):
    return None


@durable_execution
def handler(event, context):
    return context.step(send_email("ada"))
"""


@pytest.fixture
def helpers_module(tmp_path: Path) -> Path:
    path = tmp_path / "walkthrough_helpers.py"
    path.write_text(textwrap.dedent(_DECORATED_HELPERS))
    return path


@pytest.mark.parametrize("attribute", ["send_email", "payment", "ask"])
def test_a_function_decorated_as_a_step_or_child_is_not_taken_for_a_handler(
    helpers_module: Path, attribute: str
) -> None:
    # It used to run, and fail with "The function output must be a JSON object with a
    # Status", which says nothing about the mistake: the wrong attribute after the colon.
    target = f"{helpers_module}:{attribute}"

    with pytest.raises(CliError) as refused:
        load_target(target)

    assert refused.value.exit_code == 2
    assert refused.value.message.startswith(
        f"target {target!r} is not decorated with @durable_execution"
    )


def test_the_handler_beside_those_helpers_is_still_accepted(helpers_module: Path) -> None:
    handler = load_target(f"{helpers_module}:handler")

    assert handler.__name__ == "handler"


def test_an_empty_callback_id_is_reported_as_bad_input_not_as_an_unreachable_service(
    durable_lambda: Any,
) -> None:
    # botocore refuses the request before sending it, so no server is needed.
    result = durable_lambda(
        "callback", "succeed", "", "--result", '"ok"', "--endpoint", "http://127.0.0.1:9"
    )

    assert result.exit_code == 2
    assert result.stderr == (
        "error: invalid arguments: Invalid length for parameter CallbackId, value: 0, "
        "valid min length: 1\n"
    )


def test_run_with_json_still_says_which_callback_to_answer(
    start_cli: Any, durable_lambda: Any
) -> None:
    running = start_cli("run", f"{HANDLERS}:approval", "--json", "--store", "memory")
    try:
        assert running.stderr is not None
        prompt = ""
        for line in running.stderr:
            prompt += line
            if "durable-lambda callback succeed" in line:
                break
        assert prompt.startswith(
            "Callback 'approval create callback id' is waiting for an answer."
        ), prompt
        callback_id = prompt.split("callback succeed '", 1)[1].split("'", 1)[0]
        endpoint = prompt.rsplit("--endpoint ", 1)[1].strip()

        answered = durable_lambda(
            "callback", "succeed", callback_id, "--result", '"ok"', "--endpoint", endpoint
        )
        out, _ = running.communicate(timeout=60)
    finally:
        if running.poll() is None:
            running.kill()
            running.communicate()

    assert answered.exit_code == 0, answered.stderr
    assert running.returncode == 0
    outcome = json.loads(out)
    assert outcome["Status"] == "SUCCEEDED"
    assert outcome["Result"] == {"answer": '"ok"', "after": "booked"}


def test_run_names_the_callback_it_answers_in_quotes(durable_lambda: Any) -> None:
    result = durable_lambda(
        "run", f"{HANDLERS}:approval", "--auto-callback", '"ok"', "--store", "memory"
    )

    assert result.exit_code == 0, result.stderr
    assert "Answered callback 'approval create callback id' automatically." in result.stdout


def test_invoke_without_a_running_server_says_to_start_one(durable_lambda: Any) -> None:
    # An execution in the store makes the command open it rather than stop at "no store".
    ran = durable_lambda("run", f"{HANDLERS}:three_steps", "--function-name", "orders")
    assert ran.exit_code == 0, ran.stderr

    result = durable_lambda("invoke", "orders", "--input", "{}")

    assert result.exit_code == 1
    assert result.stderr == (
        "error: no server is running to invoke 'orders' on; start one with "
        "'durable-lambda serve --function orders=app.py:handler' (or pass --endpoint URL "
        "of a running one)\n"
    )


def test_invoke_of_an_unknown_function_lists_the_ones_the_server_knows(
    durable_lambda: Any, serve: Any
) -> None:
    server = serve(
        "--store", "memory", "--port", "0", "--function", f"orders={HANDLERS}:three_steps"
    )

    result = durable_lambda("invoke", "order", "--input", "{}", "--endpoint", server.url)

    assert result.exit_code == 1
    assert result.stderr == (
        "error: ResourceNotFoundException: Function not found: "
        "arn:aws:lambda:us-east-1:123456789012:function:order; "
        f"the functions {server.url} knows: orders\n"
    )


_CHAINED = """
from durable_lambda import durable_execution


@durable_execution
def place_order(event, context):
    stock = context.invoke("check-stock", {"quantity": event["quantity"]}, name="stock")
    doubled = context.invoke("double", {"n": event["quantity"]}, name="double")
    return {"available": stock["available"], "doubled": doubled}


@durable_execution
def check_stock(event, context):
    return {"available": context.step(lambda _: event["quantity"] <= 5, name="count")}


def double(event, context):
    return event["n"] * 2
"""


@pytest.fixture
def chained_module(tmp_path: Path) -> Path:
    path = tmp_path / "chained.py"
    path.write_text(textwrap.dedent(_CHAINED))
    return path


def test_run_hosts_the_functions_a_handler_invokes(
    chained_module: Path, durable_lambda: Any
) -> None:
    # Without them the run could only fail with "Function not found".
    result = durable_lambda(
        "run",
        f"{chained_module}:place_order",
        "--input",
        '{"quantity": 2}',
        "--function",
        f"check-stock={chained_module}:check_stock",
        "--plain-function",
        f"double={chained_module}:double",
        "--store",
        "memory",
        "--json",
    )

    assert result.exit_code == 0, result.stderr
    outcome = result.json()
    assert outcome["Result"] == {"available": True, "doubled": 4}
    assert [(op["Name"], op["Status"]) for op in outcome["Operations"]] == [
        ("stock", "SUCCEEDED"),
        ("double", "SUCCEEDED"),
    ]


def test_run_refuses_a_hosted_name_given_twice(chained_module: Path, durable_lambda: Any) -> None:
    result = durable_lambda(
        "run",
        f"{chained_module}:place_order",
        "--function",
        f"chained={chained_module}:check_stock",
        "--store",
        "memory",
    )

    assert result.exit_code == 2
    assert result.stderr == (
        "error: a function name is given twice among the run's function ('chained'), "
        "--function and --plain-function; name them apart (NAME=TARGET, or "
        "--function-name for the one run)\n"
    )


def test_an_unknown_status_is_refused_with_the_statuses_there_are(durable_lambda: Any) -> None:
    ran = durable_lambda("run", f"{HANDLERS}:three_steps", "--name", "counted")
    assert ran.exit_code == 0, ran.stderr

    refused = durable_lambda("executions", "list", "--status", "done")
    listed = durable_lambda("executions", "list", "--status", "Succeeded", "--json")

    assert refused.exit_code == 2
    assert refused.stderr == (
        "error: --status 'done' is not an execution status; use one of RUNNING, SUCCEEDED, "
        "FAILED, TIMED_OUT, STOPPED, DELETING, PAUSING, PAUSED (in any case)\n"
    )
    assert listed.exit_code == 0, listed.stderr
    assert [row["DurableExecutionName"] for row in listed.json()["DurableExecutions"]] == [
        "counted"
    ]


@pytest.mark.parametrize("argv", [[], ["executions"], ["callback"]])
def test_a_bare_command_group_shows_its_help_not_an_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from durable_lambda_local.cli import main

    status = main(argv)

    shown = capsys.readouterr().err
    assert status == 2
    assert shown.startswith(f"Usage: {' '.join(['durable-lambda', *argv])} [OPTIONS] COMMAND")
    assert "error:" not in shown


def test_a_callback_id_pasted_with_blanks_is_sent_without_them(durable_lambda: Any) -> None:
    from durable_lambda_local import MemoryStore
    from durable_lambda_local.http import LocalServer

    with LocalServer({}, store=MemoryStore()) as server:
        result = durable_lambda(
            "callback", "heartbeat", " abc\n", "--endpoint", server.url, "--json"
        )

    # The service saw "abc": a well-formed id that names no callback.
    assert result.exit_code == 1
    assert result.stderr == "error: ResourceNotFoundException: Callback abc does not exist.\n"


def test_ctrl_c_during_a_run_says_how_to_carry_the_execution_on(
    env: dict[str, str], durable_lambda: Any
) -> None:
    # The command runs with Python's own SIGINT handler even where the test process was
    # started with SIGINT ignored (which a child would otherwise inherit).
    interruptible = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "sys.argv = ['durable-lambda', *sys.argv[1:]]; "
        "runpy.run_module('durable_lambda_local.cli', run_name='__main__')"
    )
    running = subprocess.Popen(
        [sys.executable, "-c", interruptible, "run", f"{HANDLERS}:approval", "--name", "held"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert running.stdout is not None
        for line in running.stdout:
            if "durable-lambda callback succeed" in line:
                break
        running.send_signal(signal.SIGINT)
        _, err = running.communicate(timeout=60)
    finally:
        if running.poll() is None:
            running.kill()
            running.communicate()

    assert running.returncode == 130
    assert err == (
        "error: interrupted: execution held is still RUNNING in the store; carry it on with "
        f"'durable-lambda run {HANDLERS}:approval --name held' or stop it with "
        "'durable-lambda executions stop held'\n"
    )
    listed = durable_lambda("executions", "list", "--json")
    assert [row["Status"] for row in listed.json()["DurableExecutions"]] == ["RUNNING"]


@pytest.mark.parametrize("width", [80, 100, 120])
def test_executions_list_never_cuts_the_names_it_lists(width: int) -> None:
    import io

    from rich.console import Console

    from durable_lambda_local.cli._rendering import executions_table

    names = ["66b6da62-ce70-4bd9-aa89-3af2340079c4", "dd156fdf-f966-4ab3-b826-a046fbf251ed"]
    function = "approval_workflow:$LATEST"
    rows = [
        {
            "DurableExecutionName": name,
            "FunctionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{function}",
            "Status": "SUCCEEDED",
            "StartTimestamp": "2026-11-27T01:40:27+00:00",
            "EndTimestamp": "2026-11-27T01:40:31+00:00",
        }
        for name in names
    ]
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(executions_table(rows))

    shown = out.getvalue()
    first_words = [line.split()[0] for line in shown.splitlines()[1:] if line[:2].strip()]
    assert first_words == names
    # The other columns give way by wrapping, not by vanishing or by an ellipsis.
    assert "…" not in shown
    assert shown.count("approval") == len(names)
    assert shown.count("SUCCEEDED") == len(names)


def test_brackets_in_inputs_results_and_names_show_as_written(
    tmp_path: Path, durable_lambda: Any
) -> None:
    # Rich took "[bold]" and "[x]" for markup and silently dropped them from the output.
    module = tmp_path / "echoing.py"
    module.write_text(
        textwrap.dedent(
            """
            from durable_lambda import durable_execution


            @durable_execution
            def handler(event, context):
                return context.step(lambda _: event, name="[red]echo")
            """
        )
    )
    text = '{"note": "[bold]hi[/bold] [x]"}'

    ran = durable_lambda("run", f"{module}:handler", "--input", text, "--name", "marked")
    shown = durable_lambda("executions", "get", "marked")
    history = durable_lambda("executions", "history", "marked")

    assert ran.exit_code == 0, ran.stderr
    assert f"Result: {text}" in ran.stdout.splitlines()
    assert "[red]echo  Step  succeeded" in ran.stdout
    assert f"Input      {text}" in shown.stdout.splitlines()
    assert f"Result     {text}" in shown.stdout.splitlines()
    assert "Step [red]echo" in history.stdout


def test_a_package_module_given_by_path_is_named_by_its_module_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "walkthrough_shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "prices.py").write_text("PRICES = {'pen': 1.5}\n")
    (package / "app.py").write_text(
        "from durable_lambda import durable_execution\n\n"
        "from .prices import PRICES\n\n\n"
        "@durable_execution\n"
        "def handler(event, context):\n"
        "    return PRICES\n"
    )
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.chdir(tmp_path)

    with pytest.raises(CliError) as from_above:
        load_target("walkthrough_shop/app.py:handler")
    monkeypatch.chdir(package)
    with pytest.raises(CliError) as from_inside:
        load_target("app.py:handler")

    assert from_above.value.message == (
        "target 'walkthrough_shop/app.py:handler' failed to import: ImportError: "
        "attempted relative import with no known parent package (at "
        "walkthrough_shop/app.py:3); name a module of a package by its module path: "
        "'walkthrough_shop.app:handler'"
    )
    assert from_inside.value.message.endswith(
        f"; from {tmp_path.resolve()}, name a module of a package by its module path: "
        "'walkthrough_shop.app:handler'"
    )
    monkeypatch.chdir(tmp_path)
    try:
        assert load_target("walkthrough_shop.app:handler").__name__ == "handler"
    finally:
        for name in ("walkthrough_shop", "walkthrough_shop.app", "walkthrough_shop.prices"):
            sys.modules.pop(name, None)


@pytest.mark.parametrize("form", ["path", "module"])
def test_an_error_while_importing_the_target_names_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    (tmp_path / "walkthrough_broken.py").write_text(
        "import json\n\nSETTINGS = json.loads(open('settings.json').read())\n"
    )
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.chdir(tmp_path)
    target = "walkthrough_broken.py:handler" if form == "path" else "walkthrough_broken:handler"

    with pytest.raises(CliError) as failed:
        load_target(target)

    assert failed.value.message == (
        f"target {target!r} failed to import: FileNotFoundError: [Errno 2] No such file or "
        "directory: 'settings.json' (at walkthrough_broken.py:3)"
    )


def test_listing_an_unknown_function_names_the_ones_the_store_knows(durable_lambda: Any) -> None:
    ran = durable_lambda("run", f"{HANDLERS}:three_steps", "--function-name", "orders")
    assert ran.exit_code == 0, ran.stderr

    result = durable_lambda("executions", "list", "--function", "order")

    assert result.exit_code == 1
    assert result.stderr == (
        "error: ResourceNotFoundException: Function not found: "
        "arn:aws:lambda:us-east-1:123456789012:function:order; the functions the store "
        "knows: orders\n"
    )
