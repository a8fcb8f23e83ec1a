"""Scoring runs, cached: the engine's input per data revision and day, and its results per rubric version.

A run is keyed by what determines it: the rubric version (or the hash of a definition being previewed), the
data revision (which every write to instruments, indicators or observations advances, in the database, so
all workers agree) and the day. The same key always gives the same numbers, so a cached run is reused until
the data moves on; old entries fall out of a small LRU.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Generic, TypeVar

import orjson
from sqlmodel import Session, select

from app.models import Indicator
from app.services.audit import current_data_revision
from app.services.catalogue import engine_catalogue
from app.services.score_data import EvidenceIndex, engine_input
from scoring.engine import EngineInput, ScoreSet, score
from scoring.explain import insufficient_reason
from scoring.rubric import Rubric as RubricDefinition

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """A small thread-safe least-recently-used cache that builds missing entries with a given function."""

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
                if key in self._entries:
                    return self._entries[key]
            value = build()
            with self._lock:
                self._entries[key] = value
                self._building.pop(key, None)
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


@dataclass(frozen=True)
class ScoringInput:
    """The engine's input for one data revision and day, with the evidence behind its values."""

    revision: int
    as_of: date
    data: EngineInput
    evidence: EvidenceIndex


@dataclass(frozen=True)
class ScoringRun:
    """One rubric applied to one input, with its ranking rows (built once, on first use)."""

    rubric_tag: str
    input: ScoringInput
    result: ScoreSet
    _orders: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    explanations: "LruCache[str, dict[str, Any]]" = field(default_factory=lambda: LruCache(256), compare=False)
    """Rendered explanations by instrument: a run never changes, so neither do they."""

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        """Every instrument's score, grade, rank, coverage and why it has no score, by id."""
        rows = []
        for row, record in enumerate(self.result.table().records()):
            instrument = record.pop("instrument_id")
            reason = insufficient_reason(self.result, row) if record["score"] is None else None
            rows.append({"id": instrument, **record, "insufficient_data": reason})
        return rows

    def sorted_rows(self, sort: str) -> list[dict[str, Any]]:
        """The rows in one of the ranking's orders (computed once per order); instruments without a score last."""
        with self._lock:
            if sort not in self._orders:
                self._orders[sort] = _sorted(self.rows, sort)
            return self._orders[sort]


INPUTS: LruCache[tuple[int, date], ScoringInput] = LruCache(4)
RUNS: LruCache[tuple[str, int, date], ScoringRun] = LruCache(16)
PREVIEWS: LruCache[tuple[str, int, date], ScoringRun] = LruCache(4)
"""Runs of previewed definitions, kept apart so that previews never push published runs out."""


def scoring_input(session: Session, as_of: date, *, cached: bool = True) -> ScoringInput:
    """The engine's input for the current data revision and ``as_of`` (cached unless told otherwise)."""
    revision = current_data_revision(session)

    def build() -> ScoringInput:
        catalogue = engine_catalogue(session)
        rows = session.exec(select(Indicator.key, Indicator.id)).all()
        ids = {key: identifier for key, identifier in rows if identifier is not None}
        data, evidence = engine_input(session, catalogue=catalogue, indicator_ids=ids, as_of=as_of)
        return ScoringInput(revision, as_of, data, evidence)

    return INPUTS.get((revision, as_of), build) if cached else build()


def definition_tag(definition: RubricDefinition) -> str:
    """A short stable name for a rubric definition that has no version number (a preview)."""
    digest = hashlib.sha256(orjson.dumps(definition.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS))
    return f"draft-{digest.hexdigest()[:16]}"


def scoring_run(
    session: Session, *, rubric: RubricDefinition, rubric_tag: str, as_of: date, preview: bool = False
) -> ScoringRun:
    """The run of ``rubric`` on the data as of ``as_of`` (cached by ``rubric_tag``, revision and day)."""
    inputs = scoring_input(session, as_of)

    def build() -> ScoringRun:
        return ScoringRun(rubric_tag, inputs, score(rubric, inputs.data))

    return (PREVIEWS if preview else RUNS).get((rubric_tag, inputs.revision, as_of), build)


def uncached_run(session: Session, *, rubric: RubricDefinition, rubric_tag: str, as_of: date) -> ScoringRun:
    """A run on a day's data that is not kept (score histories visit many days once)."""
    inputs = scoring_input(session, as_of, cached=False)
    return ScoringRun(rubric_tag, inputs, score(rubric, inputs.data))


_SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "rank": lambda row: (row["rank"], row["id"]),
    "score": lambda row: (row["score"], row["id"]),
    "id": lambda row: row["id"],
}


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    name = sort.removeprefix("-")
    scored = [row for row in rows if row["score"] is not None or name == "id"]
    unscored = [row for row in rows if row["score"] is None and name != "id"]
    return sorted(scored, key=_SORT_KEYS[name], reverse=sort.startswith("-")) + unscored
