"""The collector's pace while indexing is set for the block and restored after it, also
when indexers nest, overlap in threads or fail."""

from __future__ import annotations

import gc
import threading

import pytest

from domacross.indexer.gcpolicy import YOUNG_THRESHOLD, indexing_pace


@pytest.fixture
def default_pace():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_indexing_pace__nested_and_failing__restores_what_it_found(default_pace):
    with pytest.raises(RuntimeError, match="range failed"), indexing_pace():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
        with indexing_pace():
            assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD  # the outer block still indexes
        raise RuntimeError("range failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_indexing_pace__two_threads__restored_when_the_last_stops(default_pace):
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[int] = []

    def first() -> None:
        with indexing_pace():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with indexing_pace():
            second_in.set()
            first_out.wait(10)
            seen.append(gc.get_threshold()[0])  # the first one left: still indexing here

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [YOUNG_THRESHOLD]
    assert gc.get_threshold() == (700, 10, 10)


def test_indexing_pace__a_slower_pace_already_set__kept(default_pace):
    slower = YOUNG_THRESHOLD * 5
    gc.set_threshold(slower, 10, 10)
    with indexing_pace():
        assert gc.get_threshold()[0] == slower
    assert gc.get_threshold() == (slower, 10, 10)
