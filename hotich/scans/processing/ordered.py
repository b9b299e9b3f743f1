"""An ordered, bounded map over a thread pool.

Threads rather than processes: the costly parts (JPEG decoding, resizing, encoding in Pillow)
release the GIL, so two threads keep two cores busy; there is no start-up cost, nothing to pickle,
and nothing forked out of a web process that runs jobs on a thread. Measured in
`bench/scan_intake.py`.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    return os.cpu_count() or 1


def ordered_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    *,
    ahead: int = 0,
    weight: Callable[[T], float] | None = None,
    budget: float = 0,
) -> Iterator[R]:
    """`fn` over `items`, results in input order; at most `ahead` items (default: twice the
    workers) are in flight, so memory stays bounded however long `items` is. With `weight`,
    the items in flight also weigh at most `budget` together (an item heavier than that goes
    alone). `items` is consumed on the calling thread, which may therefore be the only one to
    touch it."""
    if workers <= 1:
        for item in items:
            yield fn(item)
        return
    ahead = ahead or 2 * workers
    pending: deque[tuple[Future[R], float]] = deque()
    load = 0.0
    with ThreadPoolExecutor(workers, thread_name_prefix="hotich-scan") as pool:
        try:
            for item in items:
                heft = weight(item) if weight is not None else 0.0
                while pending and (len(pending) >= ahead or (budget and load + heft > budget)):
                    future, done_heft = pending.popleft()
                    load -= done_heft
                    yield future.result()
                pending.append((pool.submit(fn, item), heft))
                load += heft
            while pending:
                yield pending.popleft()[0].result()
        finally:
            for future, _heft in pending:
                future.cancel()
