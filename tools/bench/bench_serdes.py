"""Benchmark: extended-types round-trip against plain json.dumps + json.loads.

Run by hand from the repository root:

    uv run python tools/bench/bench_serdes.py            # full run
    uv run python tools/bench/bench_serdes.py --quick    # fewer repeats

The value is a list of orders holding datetimes (aware and naive), dates,
Decimals, UUIDs, bytes, tuples, nested dicts and lists. The baseline is the
same data made plain JSON (those types as strings, tuples as lists) through
``json.dumps`` + ``json.loads``. The target of issue 2 is a ratio of at most 5.

When ``tools/bench/.reference-venv`` holds the reference SDK, the same
measurement is run there in a subprocess, and the two payloads are compared
byte for byte.

``run(quick)`` returns the same numbers as rows for ``tools/bench/run.py``.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import statistics
import subprocess
import sys
import time
import timeit
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

REFERENCE_PYTHON = Path(__file__).parent / ".reference-venv" / "bin" / "python"
TARGET_RATIO = 5.0
ORDERS = 50
TITLE = "serdes round trip of {orders} orders (CPU time per call)"


def make_value(orders: int) -> dict[str, Any]:
    """A deterministic nested value with every extended type."""
    utc = datetime.UTC
    items = []
    for i in range(orders):
        items.append(
            {
                "id": uuid.UUID(int=i * 7919 + 1),
                "customer": f"customer-{i}",
                "amount": Decimal(f"{i}.{i % 100:02d}"),
                "created": datetime.datetime(2024, 1, 2, 3, 4, i % 60, tzinfo=utc),
                "updated": datetime.datetime(2024, 1, 3, 4, 5, 6, i),
                "due": datetime.date(2024, 2, i % 28 + 1),
                "signature": b"signature-%d" % i,
                "quantity": i,
                "unit_price": i * 1.25,
                "paid": i % 2 == 0,
                "tags": ["priority", "export", f"batch-{i % 7}"],
                "coordinates": (40.7128, -74.006),
                "meta": {"source": "web", "note": None, "attempt": 1},
            }
        )
    return {"orders": items, "count": orders, "generated": datetime.date(2024, 3, 1)}


def to_plain(value: Any) -> Any:
    """The same data as JSON can hold it."""
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def paired(baseline: Any, candidate: Any, repeat: int, number: int) -> tuple[float, float, float]:
    """Median seconds per call of each, and the median of per-round ratios.

    Times are CPU seconds of this process (``time.process_time``), so other
    work on a shared machine does not count; each round times the baseline
    and then the candidate back to back, so what remains of the noise hits
    both sides of a ratio alike.
    """
    base_times, candidate_times, ratios = [], [], []
    for _ in range(repeat):
        base = timeit.Timer(baseline, timer=time.process_time).timeit(number) / number
        cand = timeit.Timer(candidate, timer=time.process_time).timeit(number) / number
        base_times.append(base)
        candidate_times.append(cand)
        ratios.append(cand / base)
    return (
        statistics.median(base_times),
        statistics.median(candidate_times),
        statistics.median(ratios),
    )


def load_serdes(implementation: str) -> Any:
    if implementation == "ours":
        from durable_lambda_serdes import EXTENDED_TYPES_SERDES

        return EXTENDED_TYPES_SERDES
    # Only ever imported in the reference environment.
    from aws_durable_execution_sdk_python.serdes import (
        EXTENDED_TYPES_SERDES as reference,
    )

    return reference


def measure(implementation: str, orders: int, repeat: int, number: int) -> dict[str, Any]:
    serdes = load_serdes(implementation)
    value = make_value(orders)
    plain = to_plain(value)
    plain_text = json.dumps(plain)
    payload = serdes.serialize(value, None)
    if serdes.deserialize(payload, None) != value:
        raise SystemExit(f"{implementation}: round-trip changed the value")

    baseline_dumps, encode, serialize_ratio = paired(
        lambda: json.dumps(plain), lambda: serdes.serialize(value, None), repeat, number
    )
    baseline_loads, decode, deserialize_ratio = paired(
        lambda: json.loads(plain_text), lambda: serdes.deserialize(payload, None), repeat, number
    )
    baseline, round_trip, ratio = paired(
        lambda: json.loads(json.dumps(plain)),
        lambda: serdes.deserialize(serdes.serialize(value, None), None),
        repeat,
        number,
    )
    return {
        "implementation": implementation,
        "python": sys.version.split()[0],
        "baseline_dumps_us": baseline_dumps * 1e6,
        "baseline_loads_us": baseline_loads * 1e6,
        "baseline_us": baseline * 1e6,
        "serialize_us": encode * 1e6,
        "deserialize_us": decode * 1e6,
        "round_trip_us": round_trip * 1e6,
        "serialize_ratio": serialize_ratio,
        "deserialize_ratio": deserialize_ratio,
        "ratio": ratio,
        "payload": payload,
        "plain_bytes": len(plain_text),
    }


def report(result: dict[str, Any]) -> None:
    print(f"[{result['implementation']}] Python {result['python']}")
    print(
        f"  baseline json.dumps+loads  {result['baseline_us']:9.1f} us"
        f"  (dumps {result['baseline_dumps_us']:.1f}, loads {result['baseline_loads_us']:.1f})"
    )
    print(
        f"  serialize                  {result['serialize_us']:9.1f} us"
        f"  x{result['serialize_ratio']:.2f} of json.dumps"
    )
    print(
        f"  deserialize                {result['deserialize_us']:9.1f} us"
        f"  x{result['deserialize_ratio']:.2f} of json.loads"
    )
    print(
        f"  round trip                 {result['round_trip_us']:9.1f} us"
        f"  ratio x{result['ratio']:.2f}"
    )
    print(f"  payload {len(result['payload'])} bytes, plain JSON {result['plain_bytes']} bytes")


def run_reference(arguments: list[str]) -> dict[str, Any] | None:
    if not REFERENCE_PYTHON.exists():
        return None
    completed = subprocess.run(
        [str(REFERENCE_PYTHON), __file__, "--implementation", "reference", "--json", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        print(f"reference run failed:\n{completed.stderr}", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def repeats_for(quick: bool) -> tuple[int, int]:
    """Rounds, and calls per round, of each timing."""
    return (5, 20) if quick else (15, 100)


def _row(variant: str, orders: int, micros: float, **extra: Any) -> dict[str, Any]:
    return {
        "workload": "round trip",
        "title": TITLE.format(orders=orders),
        "variant": variant,
        "n": orders,
        "ops": 1,
        "unit": "round trip",
        "median_s": micros / 1e6,
        "per_op_us": micros,
        "extra": extra,
    }


def run(quick: bool) -> list[dict[str, Any]]:
    """Rows for ``tools/bench/run.py``: plain JSON, ours and (when installed) the reference.

    ``extra["ratio"]`` of a serdes row is the median of its per-round ratios to plain
    JSON: the figure the target of at most 5 is about.
    """
    repeat, number = repeats_for(quick)
    ours = measure("ours", ORDERS, repeat, number)
    rows = [
        _row("plain json.dumps + json.loads", ORDERS, ours["baseline_us"]),
        _row(
            "extended types, ours",
            ORDERS,
            ours["round_trip_us"],
            ratio=ours["ratio"],
            serialize_ratio=ours["serialize_ratio"],
            deserialize_ratio=ours["deserialize_ratio"],
            payload_bytes=len(ours["payload"]),
            target_ratio=TARGET_RATIO,
        ),
    ]
    reference = run_reference(["--orders", str(ORDERS), *(["--quick"] if quick else [])])
    if reference is not None:
        rows.append(
            _row(
                "extended types, reference SDK",
                ORDERS,
                reference["round_trip_us"],
                ratio=reference["ratio"],
                byte_identical=reference["payload"] == ours["payload"],
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    parser.add_argument(
        "--orders", type=int, default=ORDERS, help=f"orders in the value (default {ORDERS})"
    )
    parser.add_argument("--implementation", choices=["ours", "reference"], default="ours")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--no-reference", action="store_true", help="skip the reference SDK")
    options = parser.parse_args()
    repeat, number = repeats_for(options.quick)

    result = measure(options.implementation, options.orders, repeat, number)
    if options.json:
        print(json.dumps(result))
        return
    report(result)
    verdict = "meets" if result["ratio"] <= TARGET_RATIO else "MISSES"
    print(f"  {verdict} the target ratio of {TARGET_RATIO:g}")

    if options.no_reference:
        return
    forwarded = ["--orders", str(options.orders)] + (["--quick"] if options.quick else [])
    reference = run_reference(forwarded)
    if reference is None:
        print("(reference SDK not found in tools/bench/.reference-venv: skipped)")
        return
    report(reference)
    same = reference["payload"] == result["payload"]
    print(f"payloads byte-identical with the reference: {'yes' if same else 'NO'}")
    speed_up = reference["round_trip_us"] / result["round_trip_us"]
    print(f"round trip speed-up over the reference: x{speed_up:.1f}")


if __name__ == "__main__":
    main()
