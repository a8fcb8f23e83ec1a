"""The caches of the score wing, owned by one object that the application keeps on ``app.state``.

Every entry is keyed by what determines it (a published rubric version or a definition's digest, the data
revision and the day), so an entry never goes stale: once the data moves on, new keys are asked for and the
old entries fall out of their small LRU. A new application starts with empty caches.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from app.services.lru import LruCache
from scoring.rubric import Rubric as RubricDefinition

if TYPE_CHECKING:
    from app.services.scores.inputs import ScoringInput
    from app.services.scores.runs import ScoringRun

RunKey = tuple[str, int, date, str | None]
"""(rubric tag, data revision, day, perspective)."""


@dataclass(frozen=True)
class ScoreCaches:
    """Parsed rubric versions, engine inputs, runs of published versions and of previews, sensitivities."""

    definitions: LruCache[int, RubricDefinition] = field(default_factory=lambda: LruCache(64))
    """Parsed definitions of published versions (which never change), by version id."""
    inputs: "LruCache[tuple[int, date], ScoringInput]" = field(default_factory=lambda: LruCache(4))
    """Engine inputs by data revision and day."""
    runs: "LruCache[RunKey, ScoringRun]" = field(default_factory=lambda: LruCache(16))
    """Runs of published versions."""
    previews: "LruCache[RunKey, ScoringRun]" = field(default_factory=lambda: LruCache(4))
    """Runs of previewed definitions, kept apart so that previews never push published runs out."""
    histories: LruCache[tuple[str, int, str, str | None], bytes] = field(default_factory=lambda: LruCache(64))
    """Rendered score histories by rubric tag, data revision, instrument and perspective."""
    sensitivity: LruCache[tuple[Any, ...], bytes] = field(default_factory=lambda: LruCache(8))
    """Rendered sensitivity results: the same run, samples, spread and seed always give the same answer."""
