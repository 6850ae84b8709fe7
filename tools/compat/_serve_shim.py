"""``durable-lambda serve`` that also accepts the reference SDK's handler wrapper.

Used only while the command line's target check rejects handlers decorated with the
reference SDK's ``durable_execution`` (the tool reports that rejection as a failing row
first). Everything else is the unmodified command.
"""

from __future__ import annotations

from pathlib import Path

from durable_lambda_local.cli import _targets, run_main

_accepts_ours = _targets.is_durable_handler


def _accepts_ours_or_reference(handler: object) -> bool:
    code = getattr(handler, "__code__", None)
    filename = Path(str(getattr(code, "co_filename", "")))
    return _accepts_ours(handler) or "aws_durable_execution_sdk_python" in filename.parts


_targets.is_durable_handler = _accepts_ours_or_reference

if __name__ == "__main__":
    run_main()
