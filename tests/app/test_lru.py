"""The one LRU of the service, and the rule that caches live on the application, not in modules."""

import importlib
import pkgutil
import threading
import time

import pytest

import app
from app.services.lru import LruCache


def test_no_module_of_the_service_holds_a_cache() -> None:
    holders = []
    for module_info in pkgutil.walk_packages(app.__path__, prefix="app."):
        if module_info.name == "app.main":
            continue  # builds the application itself, whose caches are on app.state
        module = importlib.import_module(module_info.name)
        holders += [f"{module_info.name}.{name}" for name, value in vars(module).items() if isinstance(value, LruCache)]

    assert holders == []


def test_concurrent_callers_of_a_missing_entry_build_it_once() -> None:
    cache: LruCache[str, int] = LruCache(4)
    builds = []

    def build() -> int:
        builds.append(1)
        time.sleep(0.05)
        return 7

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", build))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (results, len(builds)) == ([7] * 8, 1)


def test_the_least_recently_used_entry_falls_out_first() -> None:
    cache: LruCache[str, str] = LruCache(2)
    cache.get("a", lambda: "A")
    cache.get("b", lambda: "B")
    cache.get("a", lambda: "not built")
    cache.get("c", lambda: "C")

    assert (cache.get("a", lambda: "rebuilt"), cache.get("b", lambda: "rebuilt"), len(cache)) == ("A", "rebuilt", 2)


def test_a_build_that_fails_leaves_nothing_behind_and_the_next_caller_builds_again() -> None:
    cache: LruCache[str, int] = LruCache(4)

    def failing() -> int:
        raise RuntimeError("the database went away")

    for _ in range(3):
        with pytest.raises(RuntimeError):
            cache.get("k", failing)

    assert (len(cache), cache.building, cache.get("k", lambda: 5)) == (0, 0, 5)
