"""Handlers for the reference-SDK compatibility scenarios.

Every module is written against ``aws_durable_execution_sdk_python`` only, as a user of
the reference SDK would write it. The tool runs each handler twice: as it is, in an
environment where the reference SDK is installed, and with the package name replaced by
``durable_lambda`` (our SDK), then compares what the local service recorded.
"""
