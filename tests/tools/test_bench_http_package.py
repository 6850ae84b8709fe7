"""The local package's HTTP benchmark measures what it says, on a tiny size."""

from __future__ import annotations

import bench_http


def test_raw_checkpoints_are_measured_through_a_hosted_envelope_handler() -> None:
    # The raw handler is not an SDK wrapper, so the server hands it Lambda's JSON event;
    # a handler that expected the SDK's input object measured nothing at all.
    assert bench_http.checkpoints_per_second(repeats=1, n=3) > 0
