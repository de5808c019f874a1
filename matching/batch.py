"""Many assessments at once: remembered answers, and processes in parallel.

:func:`iter_match` and :func:`match_many` match a cohort. Two things make them fast:

* **Remembering** (nominal capacity only): a plan depends only on the facts of
  :meth:`Matcher.memo_key <matching.match.Matcher.memo_key>` (district, point, needs, the age
  band that decides every age rule, gender, cohorts, offence, disposal, engaged agencies, travel
  limit and flags), so assessments with equal keys are matched once and get copies of one plan
  with their own reference. The memory lives in the call and ends with it. With a ledger every
  answer can change, so nothing is remembered.
* **Processes**: with ``processes > 1`` distinct assessments are matched in chunks by a
  :class:`~concurrent.futures.ProcessPoolExecutor`; each worker builds one matcher from the
  directory when it starts. Plans come back in the order of the assessments.

>>> from directory.loading import load
>>> from matching.assessment import assess
>>> d = load()
>>> cohort = [assess(d, needs="debt", where="March", age=30 + i, reference=f"r{i}")
...           for i in range(3)]
>>> [p.reference for p in match_many(d, cohort)]
['r0', 'r1', 'r2']
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Any

from directory.errors import InvalidArgumentError
from matching.match import Matcher

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from directory.models import Directory
    from matching.assessment import Assessment
    from matching.capacity import AvailabilitySource
    from matching.plan import Plan

__all__ = ["CHUNK", "MEMO", "iter_match", "match_many"]

CHUNK = 500
"""Distinct assessments sent to a worker at a time."""

MEMO = 100_000
"""Plans remembered within one call at most (the memory is emptied when full)."""

_worker: Matcher | None = (
    None  # the matcher of a worker process (set by _start, never in the parent)
)


def _start(directory: Directory) -> None:
    global _worker  # one matcher per worker process, built once
    _worker = Matcher(directory)


def _work(job: tuple[Sequence[Assessment], date]) -> list[Plan]:
    assessments, on = job
    assert _worker is not None
    return [_worker.match(a, on=on) for a in assessments]


def _matcher(
    directory_or_matcher: Directory | Matcher, availability: AvailabilitySource | None
) -> Matcher:
    if isinstance(directory_or_matcher, Matcher):
        if availability is not None:
            raise InvalidArgumentError("pass availability to the Matcher, not with a Matcher")
        return directory_or_matcher
    return Matcher(directory_or_matcher, availability=availability)


def iter_match(
    directory_or_matcher: Directory | Matcher,
    assessments: Iterable[Assessment],
    *,
    processes: int = 1,
    availability: AvailabilitySource | None = None,
    on: date | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Plan]:
    """Plans of ``assessments``, in order, as they are ready (see the module notes).

    Parameters
    ----------
    directory_or_matcher : Directory or Matcher
        What to match against.
    assessments : iterable of Assessment
        Read in chunks of ``chunk`` distinct assessments, so a long cohort need not be in memory.
    processes : int
        Worker processes (1: match in this process). More than 1 needs nominal capacity.
    availability : AvailabilitySource, optional
        As for :class:`~matching.match.Matcher`.
    on : date, optional
        The day whose capacity period counts (default today).
    chunk : int
        Distinct assessments per chunk (and per task sent to a worker).
    progress : callable, optional
        Called with the number of assessments finished so far, after each chunk.
    """
    if processes < 1:
        raise InvalidArgumentError(f"processes must be 1 or more, not {processes}")
    if chunk < 1:
        raise InvalidArgumentError(f"chunk must be 1 or more, not {chunk}")
    matcher = _matcher(directory_or_matcher, availability)
    if processes > 1 and not matcher.static:
        raise InvalidArgumentError(
            "matching in several processes needs nominal capacity; match a ledger in one process"
        )
    day = on or date.today()
    memo: dict[tuple[Any, ...], Plan] = {}
    done = 0
    pool = (
        ProcessPoolExecutor(processes, initializer=_start, initargs=(matcher.directory,))
        if processes > 1
        else None
    )
    try:
        for block in _blocks(assessments, chunk, matcher, memo, processes):
            todo: dict[tuple[Any, ...] | int, Assessment] = {}
            keys: list[tuple[Any, ...] | int] = []
            for n, a in enumerate(block):
                key = matcher.memo_key(a)
                k: tuple[Any, ...] | int = n if key is None else key
                keys.append(k)
                if key is None or (key not in memo and key not in todo):
                    todo[k] = a
            plans: list[Plan]
            if pool is None:
                plans = [matcher.match(a, on=day) for a in todo.values()]
            else:
                items = list(todo.values())
                size = max(1, -(-len(items) // processes))
                jobs = [(items[i : i + size], day) for i in range(0, len(items), size)]
                plans = [p for part in pool.map(_work, jobs) for p in part]
            fresh = dict(zip(todo, plans, strict=True))
            for k, a in zip(keys, block, strict=True):
                plan = fresh[k] if k in fresh else memo[k]  # type: ignore[index]
                if plan.reference != a.reference:
                    plan = plan.model_copy(update={"reference": a.reference})
                yield plan
            if len(memo) + len(fresh) > MEMO:
                memo.clear()
            for k, plan in fresh.items():
                if not isinstance(k, int):
                    memo[k] = plan
            done += len(block)
            if progress is not None:
                progress(done)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _blocks(
    assessments: Iterable[Assessment],
    chunk: int,
    matcher: Matcher,
    memo: dict[tuple[Any, ...], Plan],
    processes: int,
) -> Iterator[list[Assessment]]:
    """Blocks of assessments holding about ``chunk * processes`` not yet remembered."""
    block: list[Assessment] = []
    fresh = 0
    seen: set[tuple[Any, ...]] = set()
    for a in assessments:
        block.append(a)
        key = matcher.memo_key(a)
        if key is None or (key not in memo and key not in seen):
            fresh += 1
            if key is not None:
                seen.add(key)
        if fresh >= chunk * processes:
            yield block
            block, fresh, seen = [], 0, set()
    if block:
        yield block


def match_many(
    directory_or_matcher: Directory | Matcher,
    assessments: Iterable[Assessment],
    *,
    processes: int = 1,
    availability: AvailabilitySource | None = None,
    on: date | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> list[Plan]:
    """The plans of ``assessments``, in order: :func:`iter_match` as a list."""
    return list(
        iter_match(
            directory_or_matcher,
            assessments,
            processes=processes,
            availability=availability,
            on=on,
            chunk=chunk,
            progress=progress,
        )
    )
