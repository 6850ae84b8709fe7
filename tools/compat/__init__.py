"""Run handlers written for AWS's reference SDK on our local service, unmodified.

Each scenario's handler (``handlers/``) is hosted by ``durable-lambda serve`` in an
environment that has the reference SDK installed, driven with plain boto3, and its
outcome and history are compared with those of the same handler with its imports renamed
to our SDK. See ``README.md`` and ``reference_sdk.py``.
"""
