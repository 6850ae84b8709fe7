"""Run AWS's cross-SDK durable-execution conformance requirements against our SDK and our
local service.

The requirements ship in the PyPI wheel ``aws-durable-execution-conformance-tests``; the
tool downloads it into a git-ignored cache, turns its YAML files into one JSON catalogue,
runs our handler for each requirement (``handlers/``) on the local service and matches
the outcome with the conformance rules. See ``README.md`` and ``run.py``.
"""
