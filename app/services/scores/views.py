"""Score reads: the ranking (JSON or CSV), one explained score, its history, comparisons and summaries.

Each returns the response's bytes, rendered once per run (see :mod:`.present`); a history, which scores many
days, once per rubric version, data revision and instrument.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models import Instrument, Observation
from app.services.audit import current_data_revision
from app.services.instrument_views import INSTRUMENT, PARTY, filter_parameters, matching_conditions
from app.services.scores import present
from app.services.scores.caches import ScoreCaches
from app.services.scores.choose import ChosenRubric
from app.services.scores.runs import ScoringRun, uncached_run

HISTORY_POINTS = 24
"""The score history covers at most this many of the latest dates on which an instrument's data changed."""


@dataclass(frozen=True)
class RankingRows:
    """The rows of a ranking that match its filters, in the order asked for."""

    run: ScoringRun
    rows: list[int]
    """Rows of the run's result, in order."""
    selection: tuple[str, ...]
    """What chose and ordered the rows: the sort and the filters, for caching their renderings."""

    @property
    def total(self) -> int:
        """How many instruments match."""
        return len(self.rows)

    def page(self, *, limit: int, offset: int) -> bytes:
        """One page as JSON."""
        rows = self.run.remember(("ranked-rows",), lambda: present.ranked_rows(self.run))
        page = [rows[row] for row in self.rows[offset : offset + limit]]
        return present.ranking_page(self.run, page, total=self.total, limit=limit, offset=offset)

    def csv(self) -> bytes:
        """The whole selection as CSV, unpaged."""
        return self.run.render(("csv", *self.selection), lambda: present.ranking_csv(self.run, self.rows))

    @property
    def file_name(self) -> str:
        """What a CSV download of the ranking is called: its rubric version, day and data revision."""
        chosen, day = self.run.chosen, self.run.as_of.isoformat()
        seen = f"-{self.run.perspective}" if self.run.perspective else ""
        return f"scores-{chosen.key}-v{chosen.version}{seen}-{day}-r{self.run.revision}.csv"


def ranking(
    session: Session, run: ScoringRun, *, filters: dict[str, Any], sort: str, provisional: bool | None = None
) -> RankingRows:
    """The instruments that match the filters, sorted; ranks stay ranks among all instruments.

    ``provisional`` False keeps the scores that earn a grade, True the provisional ones, None every instrument.
    """
    rows = run.remember(("order", sort), lambda: _sorted(run, sort))
    if provisional is not None:
        result = run.result
        kept = (result.provisional if provisional else ~np.isnan(result.scores) & ~result.provisional).tolist()
        rows = [row for row in rows if kept[row]]
    parameters = filter_parameters(filters)
    if parameters:
        statement = sa.select(INSTRUMENT.c.slug).where(*matching_conditions(frozenset(parameters)))
        wanted = set(session.connection().execute(statement, parameters).scalars())
        ids = run.result.instrument_ids
        rows = [row for row in rows if ids[row] in wanted]
    selection = (
        sort,
        f"provisional={provisional}",
        *(f"{name}={value!r}" for name, value in sorted(parameters.items())),
    )
    return RankingRows(run, rows, selection)


def _sorted(run: ScoringRun, sort: str) -> list[int]:
    """Rows by rank, score or instrument id, ties always by id; by rank or score, those without a score last."""
    result = run.result
    ids, ranks, scores = result.instrument_ids, result.ranks.tolist(), result.scores.tolist()
    name, descending = sort.removeprefix("-"), sort.startswith("-")
    if name == "instrument":
        return sorted(range(len(ids)), key=lambda row: ids[row], reverse=descending)
    values = ranks if name == "rank" else scores
    sign = -1.0 if descending else 1.0
    unscored = np.isnan(result.scores).tolist()
    scored = [row for row, gap in enumerate(unscored) if not gap]
    rest = [row for row, gap in enumerate(unscored) if gap]
    return sorted(scored, key=lambda row: (sign * values[row], ids[row])) + rest


def explained_score(session: Session, run: ScoringRun, instrument: str) -> bytes:
    """One instrument's score with its whole explanation and the evidence of every value used."""
    if instrument not in run.input.evidence.instruments:
        raise NotFound(f"No instrument has the id {instrument!r}.")

    def render() -> bytes:
        run.input.evidence.load(session, instrument)
        return present.explanation(run, run.result.explain(instrument))

    return run.render(("explanation", instrument), render)


def score_history(
    session: Session, caches: ScoreCaches, chosen: ChosenRubric, instrument: Instrument, perspective: str | None
) -> bytes:
    """The instrument's score on each date its data changed (the latest ``HISTORY_POINTS`` of them)."""
    days = session.exec(
        select(col(Observation.observed_on))
        .where(col(Observation.instrument_id) == instrument.id)
        .distinct()
        .order_by(col(Observation.observed_on).desc())
        .limit(HISTORY_POINTS)
    ).all()
    revision = current_data_revision(session)

    def render() -> bytes:
        runs = [uncached_run(session, caches, chosen, day, perspective) for day in sorted(days)]
        return present.history(chosen, instrument.slug, revision, perspective, runs)

    return caches.histories.get((chosen.tag, revision, instrument.slug, perspective), render)


def comparison(run: ScoringRun, instruments: Sequence[str]) -> bytes:
    """Node-by-node scores of a few instruments side by side."""
    missing = [instrument for instrument in instruments if instrument not in run.row_of]
    if missing:
        raise NotFound(f"No instrument has the id {missing[0]!r}.")
    return run.render(("comparison", *instruments), lambda: present.comparison(run, instruments))


def summary(session: Session, run: ScoringRun, group_by: str) -> bytes:
    """Per group: count, mean, median, min and max score, and the best and worst instrument."""

    def render() -> bytes:
        members: dict[str, list[str]] = defaultdict(list)
        for group, instrument in _memberships(session, group_by):
            if instrument in run.row_of:
                members[group].append(instrument)
        return present.summary(run, group_by, dict(sorted(members.items())))

    return run.render(("summary", group_by), render)


def _memberships(session: Session, group_by: str) -> list[tuple[str, str]]:
    if group_by == "party":
        statement = sa.select(PARTY.c.code, INSTRUMENT.c.slug).join(
            INSTRUMENT, INSTRUMENT.c.id == PARTY.c.instrument_id
        )
    else:
        statement = sa.select(INSTRUMENT.c[group_by], INSTRUMENT.c.slug)
    rows = session.connection().execute(statement.where(INSTRUMENT.c.deleted_at.is_(None)))
    return [(str(group), str(slug)) for group, slug in rows]
