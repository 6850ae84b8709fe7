"""``python -m durable_lambda_local.cli``: the ``durable-lambda`` command line."""

from durable_lambda_local.cli import run_main

if __name__ == "__main__":
    run_main()
