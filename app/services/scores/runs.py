"""Scoring runs: one rubric applied to one input, kept with what has been rendered from it.

A run is keyed by what determines it: the rubric version (or a previewed definition's digest), the data
revision (which every write to instruments, indicators or observations advances, in the database, so all
workers agree) and the day. The same key always gives the same numbers, so a run and every rendering of it
(ranking rows, explanations, summaries) are reused until the data moves on.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, TypeVar

from sqlmodel import Session

from app.models.common import utc_now
from app.services.lru import LruCache
from app.services.scores.caches import ScoreCaches
from app.services.scores.choose import ChosenRubric, choose_rubric
from app.services.scores.inputs import ScoringInput, scoring_input
from scoring.engine import ScoreSet, score

T = TypeVar("T")


@dataclass(frozen=True)
class ScoringRun:
    """One rubric applied to one input, with its renderings (built once, on first use)."""

    chosen: ChosenRubric
    input: ScoringInput
    result: ScoreSet
    perspective: str | None = None
    """The party whose point of view the run takes (None: all parties)."""
    rendered: LruCache[tuple[str, ...], bytes] = field(default_factory=lambda: LruCache(256), compare=False)
    """Rendered responses by what they show (an explanation's instrument, a summary's grouping...)."""
    derived: LruCache[tuple[str, ...], Any] = field(default_factory=lambda: LruCache(32), repr=False, compare=False)
    """Values derived from the run that a few kinds of request share: ranking rows, orders."""

    @property
    def as_of(self) -> date:
        """The day whose data was scored."""
        return self.input.as_of

    @property
    def revision(self) -> int:
        """The data revision scored."""
        return self.input.revision

    @cached_property
    def row_of(self) -> dict[str, int]:
        """Each scored instrument's row in the result's arrays."""
        return {instrument: row for row, instrument in enumerate(self.result.instrument_ids)}

    def render(self, what: tuple[str, ...], build: Callable[[], bytes]) -> bytes:
        """The rendering of ``what``, built once per run."""
        return self.rendered.get(what, build)

    def remember(self, what: tuple[str, ...], build: Callable[[], T]) -> T:
        """A value derived from the run that a few kinds of request share (ranking rows, an order), built once."""
        value: T = self.derived.get(what, build)
        return value


def run_of(
    session: Session,
    caches: ScoreCaches,
    reference: str | None,
    as_of: date | None,
    perspective: str | None = None,
    *,
    path: str = "query.rubric",
) -> ScoringRun:
    """The run a score request asks for: the rubric its reference names, on the data as of a day (today if None),
    from a party's perspective (None: all parties)."""
    chosen = choose_rubric(session, caches, reference, path=path)
    return run_for(session, caches, chosen, as_of or utc_now().date(), perspective)


def run_for(
    session: Session, caches: ScoreCaches, chosen: ChosenRubric, as_of: date, perspective: str | None = None
) -> ScoringRun:
    """The run of a chosen rubric on the data as of a day, cached by its tag, the data revision, the day and the
    perspective."""
    inputs = scoring_input(session, caches, as_of)
    runs = caches.runs if chosen.version is not None else caches.previews
    key = (chosen.tag, inputs.revision, as_of, perspective)
    return runs.get(key, lambda: _run(chosen, inputs, perspective))


def uncached_run(
    session: Session, caches: ScoreCaches, chosen: ChosenRubric, as_of: date, perspective: str | None = None
) -> ScoringRun:
    """A run on a day's data that is not kept (score histories visit many days once)."""
    return _run(chosen, scoring_input(session, caches, as_of, cached=False), perspective)


def _run(chosen: ChosenRubric, inputs: ScoringInput, perspective: str | None) -> ScoringRun:
    return ScoringRun(chosen, inputs, score(chosen.definition, inputs.data, perspective), perspective=perspective)
