"""Score use cases: resolve a rubric reference, rank, explain one instrument, compare, summarise, history.

Every number comes from the engine (:mod:`scoring`); this module picks the rubric and the data, asks for
a cached run (:mod:`app.services.score_runs`) and shapes the results for the API.
"""

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.errors import FieldProblem, InvalidInput, NotFound
from app.models import DefaultRubric, Instrument, Observation, Rubric, RubricVersion
from app.models.common import utc_now
from app.models.types import stored_id
from app.services.instrument_views import INSTRUMENT, PARTY, filter_parameters, matching_conditions
from app.services.score_runs import LruCache, ScoringRun, scoring_run, uncached_run
from scoring.rubric import Rubric as RubricDefinition

HISTORY_POINTS = 24
"""The score history covers at most this many of the latest dates on which an instrument's data changed."""


@dataclass(frozen=True)
class ChosenRubric:
    """A published rubric version, ready for the engine."""

    key: str
    version: int
    definition: RubricDefinition

    @property
    def tag(self) -> str:
        """``key@version``."""
        return f"{self.key}@{self.version}"

    def describe(self) -> dict[str, Any]:
        """How responses name the rubric used."""
        return {"key": self.key, "version": self.version, "label": self.definition.label}


_VERSION = select(col(RubricVersion.id), col(Rubric.key), col(RubricVersion.number)).join(
    Rubric, col(Rubric.id) == RubricVersion.rubric_id
)
DEFINITIONS: LruCache[int, RubricDefinition] = LruCache(64)
"""Parsed definitions of published versions, which never change, by version id."""


def choose_rubric(session: Session, reference: str | None, *, path: str = "query.rubric") -> ChosenRubric:
    """The version a ``rubric=`` reference names: ``key@n``, ``key`` (latest published) or nothing (default)."""
    if reference is None:
        statement = _VERSION.join(DefaultRubric, col(DefaultRubric.rubric_version_id) == RubricVersion.id)
        found = session.exec(statement).first()
        if found is None:
            raise InvalidInput([FieldProblem(path, "no default rubric is set; name one (key or key@version)")])
        return _chosen(session, *found)
    key, _, number = reference.partition("@")
    statement = _VERSION.where(col(Rubric.key) == key)
    if number:
        statement = statement.where(col(RubricVersion.number) == int(number))
    found = session.exec(statement.order_by(col(RubricVersion.number).desc())).first()
    if found is None:
        if session.exec(select(Rubric.id).where(col(Rubric.key) == key)).first() is None:
            raise NotFound(f"No rubric has the key {key!r}.")
        which = f"version {number}" if number else "published version"
        raise NotFound(f"The rubric {key!r} has no {which}.")
    return _chosen(session, *found)


def _chosen(session: Session, version_id: int | None, key: str, number: int) -> ChosenRubric:
    def parse() -> RubricDefinition:
        stored = session.exec(select(RubricVersion.definition).where(col(RubricVersion.id) == version_id)).one()
        return RubricDefinition.model_validate(stored)

    return ChosenRubric(key, number, DEFINITIONS.get(stored_id(version_id), parse))


def run_for(session: Session, chosen: ChosenRubric, as_of: date | None) -> ScoringRun:
    """The cached run of a chosen rubric on the data as of a day (today when None)."""
    return scoring_run(session, rubric=chosen.definition, rubric_tag=chosen.tag, as_of=as_of or utc_now().date())


def ranking(session: Session, run: ScoringRun, *, filters: dict[str, Any], sort: str) -> list[dict[str, Any]]:
    """The rows of the instruments that match the filters, sorted; ranks stay ranks among all instruments."""
    rows = run.sorted_rows(sort)
    parameters = filter_parameters(filters)
    if parameters:
        statement = sa.select(INSTRUMENT.c.slug).where(*matching_conditions(frozenset(parameters)))
        wanted = set(session.connection().execute(statement, parameters).scalars())
        rows = [row for row in rows if row["id"] in wanted]
    return rows


def explained_score(session: Session, run: ScoringRun, instrument: str) -> dict[str, Any]:
    """One instrument's score with its whole explanation and the evidence of every value used (cached per run)."""

    if instrument not in run.input.evidence.instruments:
        raise NotFound(f"No instrument has the id {instrument!r}.")

    def render() -> dict[str, Any]:
        run.input.evidence.load(session, instrument)
        explanation = run.result.explain(instrument)
        shown = explanation.as_dict()
        shown["insufficient_data"] = shown.pop("insufficient")
        return {**shown, "lines": explanation.lines()}

    return run.explanations.get(instrument, render)


def score_history(session: Session, chosen: ChosenRubric, instrument: Instrument) -> list[dict[str, Any]]:
    """The instrument's score on each date its data changed (the latest ``HISTORY_POINTS`` of them)."""
    days = session.exec(
        select(col(Observation.observed_on))
        .where(col(Observation.instrument_id) == instrument.id)
        .distinct()
        .order_by(col(Observation.observed_on).desc())
        .limit(HISTORY_POINTS)
    ).all()
    points = []
    for day in sorted(days):
        run = uncached_run(session, rubric=chosen.definition, rubric_tag=chosen.tag, as_of=day)
        row = run.result.index_of(instrument.slug)
        points.append(
            {
                "as_of": day.isoformat(),
                "score": _number(run.result.scores[row]),
                "rank": _rank(run.result.ranks[row]),
                "grade": run.result.grades[row],
                "coverage": float(run.result.coverage[row]),
            }
        )
    return points


def compared(run: ScoringRun, instruments: Sequence[str]) -> dict[str, Any]:
    """Node-by-node scores of a few instruments side by side."""
    result = run.result
    missing = [instrument for instrument in instruments if instrument not in set(result.instrument_ids)]
    if missing:
        raise NotFound(f"No instrument has the id {missing[0]!r}.")
    nodes = [{"key": node.key, "label": node.label, "path": node.path} for node in result.explain(instruments[0]).nodes]
    criteria = [{"key": c.key, "label": c.label, "path": c.path} for c in result.explain(instruments[0]).criteria]
    columns = []
    for instrument in instruments:
        row = result.index_of(instrument)
        scores = {item["key"]: _number(result.node_scores(item["key"])[row]) for item in nodes + criteria}
        table = {"score": _number(result.scores[row]), "rank": _rank(result.ranks[row]), "grade": result.grades[row]}
        columns.append({"id": instrument, **table, "coverage": float(result.coverage[row]), "nodes": scores})
    return {"nodes": nodes, "criteria": criteria, "instruments": columns}


def summary(session: Session, run: ScoringRun, group_by: str) -> list[dict[str, Any]]:
    """Per group: count, mean, median, min and max score, and the best and worst instrument."""
    groups: dict[str, list[tuple[str, float]]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    scores = dict(zip(run.result.instrument_ids, run.result.scores.tolist(), strict=True))
    for group, instrument in _memberships(session, group_by):
        if instrument not in scores:
            continue
        counts[group] += 1
        if not np.isnan(scores[instrument]):
            groups[group].append((instrument, scores[instrument]))
    return [_group_summary(group, counts[group], groups[group]) for group in sorted(counts)]


def _memberships(session: Session, group_by: str) -> list[tuple[str, str]]:
    if group_by == "party":
        statement = sa.select(PARTY.c.code, INSTRUMENT.c.slug).join(
            INSTRUMENT, INSTRUMENT.c.id == PARTY.c.instrument_id
        )
    else:
        statement = sa.select(INSTRUMENT.c[group_by], INSTRUMENT.c.slug)
    rows = session.connection().execute(statement.where(INSTRUMENT.c.deleted_at.is_(None)))
    return [(str(group), str(slug)) for group, slug in rows]


def _group_summary(group: str, count: int, scored: list[tuple[str, float]]) -> dict[str, Any]:
    values = [value for _, value in scored]
    ordered = sorted(scored, key=lambda item: (-item[1], item[0]))
    return {
        "group": group,
        "count": count,
        "scored": len(scored),
        "mean": statistics.fmean(values) if values else None,
        "median": statistics.median(values) if values else None,
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "best": {"id": ordered[0][0], "score": ordered[0][1]} if ordered else None,
        "worst": {"id": ordered[-1][0], "score": ordered[-1][1]} if ordered else None,
    }


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _rank(value: float) -> int | None:
    return None if np.isnan(value) else int(value)
