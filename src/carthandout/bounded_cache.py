"""A bounded, least-recently-used cache: the per-process caches of layout and PDF writing use it."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Hashable

SIGHTINGS_ENTRIES = 1024  # keys remembered as seen but not yet kept, per cache: some thirty patients


class BoundedCache:
    """Least recently used entries go first once the total ``cost`` exceeds ``budget``.

    Every entry costs 1 unless told otherwise, so by default ``budget`` is a number of entries.

    ``keep_from``: an entry is kept only when it is put for that many'th time. In a cohort most
    values are made for one patient (a subset of a font holding the letters of one name): put
    once, never asked for again. Kept at once, they filled the cache up to its budget, a worker
    grew with the cohort, and they pushed out the values every document asks for. Only the
    keys' hashes are remembered in between (a collision just keeps an entry early).
    """

    def __init__(self, budget: int, keep_from: int = 1) -> None:
        self.budget = budget
        self.spent = 0
        self.keep_from = keep_from
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._sightings: OrderedDict[int, int] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: Hashable, value: Any, cost: int = 1) -> None:
        if cost > self.budget or not self._seen_enough(key):
            return
        replaced = self._entries.pop(key, None)
        if replaced is not None:
            self.spent -= replaced[1]
        self._entries[key] = (value, cost)
        self.spent += cost
        while self.spent > self.budget:
            _, (_, freed) = self._entries.popitem(last=False)
            self.spent -= freed

    def _seen_enough(self, key: Hashable) -> bool:
        if self.keep_from <= 1:
            return True
        marker = hash(key)
        seen = self._sightings.pop(marker, 0) + 1
        if seen >= self.keep_from:
            return True
        self._sightings[marker] = seen
        if len(self._sightings) > SIGHTINGS_ENTRIES:
            self._sightings.popitem(last=False)
        return False

    def clear(self) -> None:
        self._entries.clear()
        self._sightings.clear()
        self.spent = 0
