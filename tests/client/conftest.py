"""Fixtures of the durable_lambda_client tests."""
