"""A bounded LRU cache of compiled timelines, with hit and miss counts for ``/healthz``.

Used from the event loop's thread only (inserts happen after the compile's ``await``), so it
needs no lock.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

__all__ = ["LRUCache"]


class LRUCache:
    """At most ``capacity`` entries; the least recently used goes first. Capacity 0: off."""

    __slots__ = ("_entries", "capacity", "hits", "misses")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[bytes, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: bytes) -> Any | None:
        """The entry under ``key`` (now the most recently used), or ``None``; counts both."""
        entries = self._entries
        value = entries.get(key)
        if value is None:
            self.misses += 1
            return None
        entries.move_to_end(key)
        self.hits += 1
        return value

    def put(self, key: bytes, value: Any) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used entry when full."""
        if self.capacity == 0:
            return
        entries = self._entries
        entries[key] = value
        entries.move_to_end(key)
        while len(entries) > self.capacity:
            entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> dict[str, Any]:
        """Size, capacity, hits, misses and the hit rate (``None`` before any lookup)."""
        lookups = self.hits + self.misses
        return {
            "size": len(self._entries),
            "capacity": self.capacity,
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": None if lookups == 0 else round(self.hits / lookups, 4),
        }
