"""A bounded, least-recently-used cache: the per-process caches of layout and PDF writing use it."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Hashable


class BoundedCache:
    """Least recently used entries go first once the total ``cost`` exceeds ``budget``.

    Every entry costs 1 unless told otherwise, so by default ``budget`` is a number of entries.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.spent = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: Hashable, value: Any, cost: int = 1) -> None:
        if cost > self.budget:
            return
        replaced = self._entries.pop(key, None)
        if replaced is not None:
            self.spent -= replaced[1]
        self._entries[key] = (value, cost)
        self.spent += cost
        while self.spent > self.budget:
            _, (_, freed) = self._entries.popitem(last=False)
            self.spent -= freed

    def clear(self) -> None:
        self._entries.clear()
        self.spent = 0
