"""Operation ids: BLAKE2b of the position (and parent id), stable and wire-valid."""

from __future__ import annotations

import re
import threading

from hypothesis import given
from hypothesis import strategies as st

from durable_lambda_context import OrderedCounter
from durable_lambda_context._operation_ids import branch_id, operation_id

ROOT_1 = "1ced8f5be2db23a6513eba4d819c73806424748a7bc6fa0d792cc1c7d1775a97"
ROOT_2 = "c5faca15ac2f93578b39ef4b6bbb871bdedce4ddd584fd31f0bb66fade3947e6"
ROOT_3 = "6f760b9e9eac89f07ab0223b0f4acb04d1e355d893a1b86a83f4d4b405adee99"
CHILD_1_1 = "974bfc6321e227b0ff101342eaf19b336f002dc6cc99c18f0941a7755cc20fc4"
CHILD_1_2 = "9d8bc609108ec7b3600d6cceec22d18553e3e1ec52a3568cb251464a3d39d24f"
BRANCH_1_0 = "1712f93e2f51df042e2b933907d75accfe34a48fe4a42a24e0b08131bc72d591"
BRANCH_1_0_STEP_1 = "48550629202cb2d0e1bd4f07d826361bbd2defa71565264c01647fc2da0e9b1e"


def test_known_ids() -> None:
    assert operation_id(None, 1) == ROOT_1
    assert operation_id(None, 2) == ROOT_2
    assert operation_id(None, 3) == ROOT_3
    assert operation_id(ROOT_1, 1) == CHILD_1_1
    assert operation_id(ROOT_1, 2) == CHILD_1_2
    assert branch_id(ROOT_1, 0) == BRANCH_1_0
    assert branch_id(ROOT_1, 1) == CHILD_1_1
    assert operation_id(BRANCH_1_0, 1) == BRANCH_1_0_STEP_1


@given(st.one_of(st.none(), st.text(min_size=1)), st.integers(min_value=1, max_value=10**9))
def test_ids_fit_the_wire_pattern(parent: str | None, position: int) -> None:
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", operation_id(parent, position))


def test_counter_counts_from_zero_and_stays_unique_across_threads() -> None:
    counter = OrderedCounter()
    assert counter.get_current() == 0
    assert counter.increment() == 1
    assert counter.decrement() == 0
    seen: list[int] = []
    lock = threading.Lock()

    def bump() -> None:
        for _ in range(500):
            value = counter.increment()
            with lock:
                seen.append(value)

    threads = [threading.Thread(target=bump, name=f"bump-{i}") for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 2001))
