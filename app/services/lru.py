"""A small thread-safe least-recently-used cache whose missing entries are built once, by one caller."""

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """At most ``size`` entries; the least recently used one falls out first.

    >>> cache: LruCache[str, int] = LruCache(1)
    >>> cache.get("a", lambda: 1), cache.get("a", lambda: 2), cache.get("b", lambda: 3), cache.get("a", lambda: 4)
    (1, 1, 3, 4)
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[K, threading.Lock] = {}

    def get(self, key: K, build: Callable[[], V]) -> V:
        """The entry for ``key``; when it is missing, one caller builds it while the others wait for it."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._entries:  # built by the caller this one waited for
                    self._entries.move_to_end(key)
                    return self._entries[key]
            try:
                value = build()
            except BaseException:
                with self._lock:
                    self._building.pop(key, None)  # the next caller tries again
                raise
            with self._lock:
                self._entries[key] = value
                self._building.pop(key, None)
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return value

    @property
    def building(self) -> int:
        """How many entries are being built right now."""
        with self._lock:
            return len(self._building)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
