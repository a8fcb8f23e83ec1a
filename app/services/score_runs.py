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
from scoring.rubric import Rubric as RubricDefinition

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """A small thread-safe least-recently-used cache that builds missing entries with a given function."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, build: Callable[[], V]) -> V:
        """The entry for ``key``, built (outside the lock) when it is missing."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = build()
        with self._lock:
            self._entries[key] = value
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
        for record in self.result.table().records():
            instrument = record.pop("instrument_id")
            reason = self.result.insufficient_reason(instrument) if record["score"] is None else None
            rows.append({"id": instrument, **record, "insufficient_data": reason})
        return rows

    def sorted_rows(self, sort: str) -> list[dict[str, Any]]:
        """The rows in one of the ranking's orders (computed once per order); instruments without a score last."""
        with self._lock:
            if sort not in self._orders:
                self._orders[sort] = _sorted(self.rows, sort)
            return self._orders[sort]

    @property
    def tag(self) -> str:
        """What determines the run, for ETags: rubric, data revision and day."""
        return f"{self.rubric_tag}.r{self.input.revision}.{self.input.as_of.isoformat()}"


INPUTS: LruCache[tuple[int, date], ScoringInput] = LruCache(4)
RUNS: LruCache[tuple[str, int, date], ScoringRun] = LruCache(32)


def scoring_input(session: Session, as_of: date) -> ScoringInput:
    """The engine's input for today's data revision and ``as_of`` (cached)."""
    revision = current_data_revision(session)

    def build() -> ScoringInput:
        catalogue = engine_catalogue(session)
        ids = {
            key: identifier for key, identifier in session.exec(select(Indicator.key, Indicator.id)).all() if identifier
        }
        data, evidence = engine_input(session, catalogue=catalogue, indicator_ids=ids, as_of=as_of)
        return ScoringInput(revision, as_of, data, evidence)

    return INPUTS.get((revision, as_of), build)


def definition_tag(definition: RubricDefinition) -> str:
    """A short stable name for a rubric definition that has no version number (a preview)."""
    digest = hashlib.sha256(orjson.dumps(definition.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS))
    return f"draft-{digest.hexdigest()[:16]}"


def scoring_run(session: Session, *, rubric: RubricDefinition, rubric_tag: str, as_of: date) -> ScoringRun:
    """The run of ``rubric`` on the data as of ``as_of`` (cached by ``rubric_tag``, revision and day)."""
    inputs = scoring_input(session, as_of)

    def build() -> ScoringRun:
        return ScoringRun(rubric_tag, inputs, score(rubric, inputs.data))

    return RUNS.get((rubric_tag, inputs.revision, as_of), build)


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
