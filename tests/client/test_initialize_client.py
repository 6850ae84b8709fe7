"""LambdaClient.initialize_client: endpoint, region, timeouts, user agent, caching."""

from __future__ import annotations

import pytest

from durable_lambda_client import USER_AGENT_EXTRA, LambdaClient


def test_defaults_timeouts_and_user_agent(
    aws_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    config = LambdaClient.initialize_client().client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (5.0, 50.0)
    assert config.user_agent_extra == USER_AGENT_EXTRA
    assert USER_AGENT_EXTRA.startswith("durable-lambda/")


def test_timeouts_are_configurable(aws_environment: None) -> None:
    client = LambdaClient.initialize_client(
        region_name="us-east-1", connect_timeout=1.5, read_timeout=7.0
    ).client
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (1.5, 7.0)


def test_the_boto3_client_is_built_once_per_settings(aws_environment: None) -> None:
    first = LambdaClient.initialize_client(region_name="ap-south-1")
    second = LambdaClient.initialize_client(region_name="ap-south-1")
    other = LambdaClient.initialize_client(region_name="ap-south-2")
    assert first.client is second.client
    assert other.client is not first.client


def test_region_comes_from_aws_region_when_aws_default_region_is_unset(
    aws_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert LambdaClient.initialize_client().client.meta.region_name == "eu-central-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    assert LambdaClient.initialize_client().client.meta.region_name == "eu-north-1"


def test_endpoint_precedence(aws_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    def endpoint(**kwargs: str) -> str:
        return str(LambdaClient.initialize_client(**kwargs).client.meta.endpoint_url)

    assert endpoint() == "https://lambda.us-east-1.amazonaws.com"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://generic:1")
    assert endpoint() == "http://generic:1"
    monkeypatch.setenv("LAMBDA_ENDPOINT", "http://local-service:2")
    assert endpoint() == "http://local-service:2"
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", "http://lambda-specific:3")
    assert endpoint() == "http://lambda-specific:3"
    assert endpoint(endpoint_url="http://explicit:4") == "http://explicit:4"
