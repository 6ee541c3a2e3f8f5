"""What a process keeps of recent work, bounded: cachetools' LRU behind a lock, one per app.

Only for values found again under a key that says everything they depend on (a content
version, or the content itself): nothing kept here is ever invalidated by hand.
"""

from __future__ import annotations

import threading

from cachetools import LRUCache
from flask import current_app


class Kept:
    def __init__(self, size: int):
        self._values: LRUCache = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            return self._values.get(key)

    def put(self, key: tuple, value) -> None:
        with self._lock:
            self._values[key] = value


def for_app(name: str, size_setting: str, default: int) -> Kept:
    """The current app's store called `name`, sized by its setting."""
    extensions = current_app.extensions
    kept = extensions.get(name)
    if kept is None:
        kept = extensions.setdefault(name, Kept(current_app.config.get(size_setting, default)))
    return kept
