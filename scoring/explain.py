"""Explanations: one instrument's slice of a scoring run, as typed fields (for JSON) or as lines (people).

Nothing here recomputes a score. Values, weights, contributions and flags are read from the arrays of the
:class:`~scoring.engine.ScoreSet`; a criterion's weights and contribution are the products of its value and
its node's recorded factors (:func:`scoring.aggregate.criterion_terms`, the formula the run itself uses).
The one counterfactual, the improvement potential (the points the final
score would gain if one criterion reached its best points, all else fixed: other values, imputed values and
the statistics of population-relative normalisations), runs the same vectorised aggregation on one row per
criterion.

For an arithmetic path (every node from the root to the criterion aggregates arithmetically), a contribution
is the criterion's points times its effective weight, and the contributions of all criteria add up to the
score. Under geometric or minimum aggregation, contributions are shares of the score (see
:mod:`scoring.aggregate`); they still add up to the score. A node imputed as a whole keeps its contribution
itself; its criteria then contribute nothing.

A criterion rolled up from its parties' values lists each party it read (:class:`PartyValue`, with its
evidence), and says how it rolled them up; its line reads ``US TIP Report tier: UZB Tier 2, KAZ Tier 2 ->
mean level 2 of 4 (Tier 2) -> 66.7 points x weight 0.25 = 16.7 of 25.0 points (context)``; from a perspective,
``UZB Tier 2 -> level 2 of 4 (Tier 2) -> ...``, and the first line names the perspective.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from scoring.aggregate import aggregate, criterion_terms
from scoring.arrays import FloatArray, optional_float, optional_int
from scoring.plan import CriterionPlan
from scoring.rubric import RatioTransform
from scoring.wording import (
    describe_party_value,
    describe_rolled_value,
    describe_rollup,
    describe_rule,
    describe_value,
    number,
)

if TYPE_CHECKING:
    from scoring.engine import ScoreSet


@dataclass(frozen=True)
class PartyValue:
    """One party's value behind a rolled-up criterion."""

    code: str
    """The party's code (``UZB``, ``EU``)."""
    raw: float | None
    """The encoded value (None: the party has no value)."""
    value: str
    """The value in words: a level or category name, yes or no, a number, or ``missing``."""
    evidence_key: str | None
    evidence: Mapping[str, Any] | None
    """What backs the value, as the input gave it under ``evidence_key`` (None: nothing given)."""


@dataclass(frozen=True)
class CriterionExplanation:
    """How one criterion turned its indicator value into points of the score."""

    key: str
    label: str
    path: str
    indicator: str
    raw: float | None
    value: str
    transformed: float | None
    normalised: float | None
    weight: float
    local_weight: float
    effective_weight: float
    contribution: float
    max_contribution: float
    flags: tuple[str, ...]
    rule: str
    evidence: dict[str, Mapping[str, Any]]
    improvement_potential: float | None
    arithmetic_path: bool
    parties: tuple[PartyValue, ...] = ()
    """For a rolled-up criterion, the parties it read, in the instrument's order, with a value or without."""
    rollup: str | None = None
    """For a rolled-up criterion, the roll-up in words (``mean over 2 of 3 parties``); None otherwise."""
    context: bool = False
    """Whether the criterion reads country facts as context (it counts toward coverage at the context factor)."""


@dataclass(frozen=True)
class NodeExplanation:
    """One node (dimension or sub-dimension): its score and its part in the final score."""

    key: str
    label: str
    path: str
    score: float | None
    coverage: float
    weight: float
    effective_weight: float
    contribution: float
    aggregation: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    """Why an instrument scored what it did."""

    instrument: str
    rubric_key: str
    rubric_label: str
    score: float | None
    grade: str | None
    rank: int | None
    ranked: int
    coverage: float
    score_range: tuple[float, float]
    """The lowest and highest score the instrument could reach if its missing criteria took their worst or best."""
    provisional: bool
    """Whether the score rests on too little of the rubric's weight for a grade."""
    needed_coverage: float
    insufficient_data: str | None
    """Why there is no score, in one sentence (None with a score)."""
    insufficient_detail: str | None
    """The same in full: every node short of data and every criterion without a value."""
    missing: tuple[str, ...]
    """The keys of the criteria without a value."""
    nodes: tuple[NodeExplanation, ...]
    criteria: tuple[CriterionExplanation, ...]
    perspective: str | None = None
    """The party whose point of view the score took, if any."""

    def lines(self) -> list[str]:
        """The explanation as short lines a person reads, dimension by dimension."""
        label = f"{self.rubric_label} (perspective {self.perspective})" if self.perspective else self.rubric_label
        if self.score is None:
            head = f"{label}: no score, {self.insufficient_detail}"
        else:
            low, high = self.score_range
            grade = (
                f"provisional, no grade below {self.needed_coverage:.0%} coverage" if self.provisional else self.grade
            )
            could = f" (could be {low:.1f} to {high:.1f})" if high - low >= 0.05 else ""
            head = (
                f"{label}: {self.score:.1f} points{could}, {grade}, "
                f"rank {self.rank} of {self.ranked}, coverage {self.coverage:.0%}"
            )
        lines = [head]
        for node in self.nodes[1:]:
            depth = node.path.count(".") + 1
            lines.append("  " * depth + _node_line(node))
            lines += ["  " * (depth + 1) + _criterion_line(c) for c in self.criteria if _parent(c.path) == node.path]
        return lines


def explain(scores: "ScoreSet", row: int) -> Explanation:
    """Slice row ``row`` out of a scoring run (see the module docstring)."""
    plan, trace = scores.plan, scores.trace
    criteria_count = plan.criterion_count
    potential = improvement_potential(scores, row)
    weights = scores.weights[None, :]
    terms = criterion_terms(plan, scores.aggregated, weights, np.array([row]))
    criteria = tuple(
        _criterion(scores, row, column, potential[column], tuple(float(a[0, column, 0]) for a in terms))
        for column in range(criteria_count)
    )
    nodes = []
    for index, node in enumerate(plan.nodes):
        column = criteria_count + index
        flags = tuple(
            name
            for name, on in (
                ("insufficient", scores.aggregated.insufficient[0, index, row]),
                ("imputed", trace.imputed is not None and trace.imputed[0, column, row]),
            )
            if on
        )
        nodes.append(
            NodeExplanation(
                key=node.key,
                label=node.label,
                path=node.path,
                score=optional_float(scores.aggregated.nodes[0, index, row]),
                coverage=float(scores.aggregated.coverage[0, index, row]),
                weight=float(plan.weights[column]),
                effective_weight=float(trace.effective[0, index, row]),
                contribution=float(trace.contributions[0, index, row]),
                aggregation=node.aggregation,
                flags=flags,
            )
        )
    rank = scores.ranks[row]
    return Explanation(
        instrument=scores.instrument_ids[row],
        rubric_key=plan.rubric.key,
        rubric_label=plan.rubric.label,
        score=optional_float(scores.scores[row]),
        grade=scores.grades[row],
        rank=optional_int(rank),
        ranked=int(np.sum(~np.isnan(scores.ranks))),
        coverage=float(scores.coverage[row]),
        score_range=(float(scores.score_range[0][row]), float(scores.score_range[1][row])),
        provisional=bool(scores.provisional[row]),
        needed_coverage=scores.rubric.grading.min_coverage,
        insufficient_data=insufficient_reason(scores, row),
        insufficient_detail=insufficient_detail(scores, row),
        missing=missing_criteria(scores, row),
        nodes=tuple(nodes),
        criteria=criteria,
        perspective=scores.perspective,
    )


def improvement_potential(scores: "ScoreSet", row: int) -> FloatArray:
    """Points the final score of ``row`` would gain if each criterion reached its best points (NaN: no score)."""
    plan = scores.plan
    count = plan.criterion_count
    # One counterfactual instrument per criterion: a copy of this one with that criterion at its best.
    rows = np.repeat(scores.normalised.points[:, row : row + 1], count, axis=1)
    rows[np.arange(count), np.arange(count)] = plan.ceilings[:count]
    recorded = scores.trace.fills
    fills = np.full((1, len(plan.keys), 1), np.nan) if recorded is None else recorded[:, :, row : row + 1]
    fills = np.broadcast_to(fills, (1, len(plan.keys), count))
    better = aggregate(plan, rows, scores.weights[None, :], fills=fills).nodes[0, 0]
    return np.asarray(better - scores.scores[row], dtype=np.float64)


SHORT_LABEL = 60
"""Longest part of a label quoted in the one-sentence reason for a missing score."""


def missing_criteria(scores: "ScoreSet", row: int) -> tuple[str, ...]:
    """The keys of the criteria that have no value for ``row`` (in the rubric's order)."""
    missing = scores.criteria.missing(row)
    return tuple(scores.plan.criteria[column].key for column in np.flatnonzero(missing))


def insufficient_reason(scores: "ScoreSet", row: int) -> str | None:
    """Why an instrument has no score, in one sentence of at most about 200 characters; None with a score.

    The first node short of data is named with its coverage; the others and the criteria without a value
    are counted (:func:`missing_criteria` lists their keys, :func:`insufficient_detail` says it all).
    """
    if not math.isnan(scores.scores[row]):
        return None
    short = _short_nodes(scores, row)
    parts = short[1:] or short[:1]  # the root lacks data whenever a part does: name the parts
    missing = len(missing_criteria(scores, row))
    label, coverage, needed = parts[0] if parts else (scores.plan.rubric.label, 0.0, 0.0)
    label = label if len(label) <= SHORT_LABEL else label[: SHORT_LABEL - 1] + "\u2026"
    lacking = f"{label} rests {coverage:.0%} on data (needs {needed:.0%})" if needed else f"{label} has no value"
    others = len(parts) - 1
    more = f" and {others} more part{'s lack' if others > 1 else ' lacks'} data" if others else ""
    verb = "has" if missing == 1 else "have"
    return f"No score: {lacking}{more}; {missing} of {scores.plan.criterion_count} criteria {verb} no value."


def insufficient_detail(scores: "ScoreSet", row: int) -> str | None:
    """Why an instrument has no score, in full: every node short of data and every criterion without a value."""
    if not math.isnan(scores.scores[row]):
        return None
    short = [
        f"{label} has {coverage:.0%} of its weight on data (needs {needed:.0%})"
        if needed
        else f"{label} has no part with a value"
        for label, coverage, needed in _short_nodes(scores, row)
    ]
    labels = {criterion.key: criterion.label for criterion in scores.plan.criteria}
    missing = [labels[key] for key in missing_criteria(scores, row)]
    return "insufficient data: " + "; ".join(short) + (f"; missing: {', '.join(missing)}" if missing else "")


def _short_nodes(scores: "ScoreSet", row: int) -> list[tuple[str, float, float]]:
    """(label, coverage, coverage needed, 0 when any would do) of each node short of data, root first."""
    plan, aggregated = scores.plan, scores.aggregated
    short = []
    for index, node in enumerate(plan.nodes):
        if not aggregated.insufficient[0, index, row]:
            continue
        coverage = float(aggregated.coverage[0, index, row])
        needed = node.missing.min_coverage if coverage < node.missing.min_coverage else 0.0
        short.append((node.label, coverage, needed))
    return short


def _criterion(
    scores: "ScoreSet", row: int, column: int, potential: float, terms: tuple[float, ...]
) -> CriterionExplanation:
    """One criterion's slice; ``terms`` are its local weight, effective weight and contribution."""
    plan, trace, data = scores.plan, scores.trace, scores.data
    criterion = plan.criteria[column]
    raw = float(scores.criteria.raw_of(column)[row])
    transformed = float(scores.criteria.transformed_of(column)[row])
    winsorised = scores.criteria.winsorised
    flags = tuple(
        name
        for name, on in (
            ("missing", math.isnan(transformed)),
            ("imputed", trace.imputed is not None and trace.imputed[0, column, row]),
            ("capped", scores.normalised.is_capped(column, row)),
            ("winsorised", winsorised.size > 0 and winsorised[column, row]),
        )
        if on
    )
    instrument = data.instrument_ids[row]
    ratio = criterion.transform if isinstance(criterion.transform, RatioTransform) else None
    sources = [criterion.indicator] + ([ratio.denominator] if ratio else [])
    parameters = scores.normalised.parameters[column] if scores.normalised.parameters else {}
    local, effective, contribution = terms
    parties, rollup, value = _rolled(scores, row, criterion, raw) if criterion.rollup else ((), None, None)
    return CriterionExplanation(
        key=criterion.key,
        label=criterion.label,
        path=criterion.path,
        indicator=criterion.indicator,
        raw=optional_float(raw),
        value=describe_value(criterion, raw) if value is None else value,
        transformed=optional_float(transformed),
        normalised=optional_float(trace.used[column, row]),
        weight=float(plan.weights[column]),
        local_weight=local,
        effective_weight=effective,
        contribution=contribution,
        max_contribution=effective * float(plan.ceilings[column]),
        flags=flags,
        rule=describe_rule(criterion, parameters, scores.criteria.treatment[column]),
        evidence={key: data.evidence[(instrument, key)] for key in sources if (instrument, key) in data.evidence},
        improvement_potential=optional_float(potential),
        arithmetic_path=_arithmetic_path(scores, criterion.parent),
        parties=parties,
        rollup=rollup,
        context=criterion.context,
    )


def _rolled(
    scores: "ScoreSet", row: int, criterion: CriterionPlan, raw: float
) -> tuple[tuple[PartyValue, ...], str, str]:
    """A rolled-up criterion's parties with their values and evidence, the roll-up and its value in words."""
    party_values = scores.data.party_values
    over_perspective = criterion.rollup is not None and criterion.rollup.over == "perspective"
    party = scores.perspective if over_perspective else None
    read = party_values.read(criterion.indicator, row, party) if party_values is not None else []
    evidence = party_values.evidence if party_values is not None else {}
    parties = tuple(
        PartyValue(
            code=code,
            raw=optional_float(value),
            value=describe_party_value(criterion, value),
            evidence_key=key,
            evidence=evidence.get(key) if key is not None else None,
        )
        for code, value, key in read
    )
    counted = sum(item.raw is not None for item in parties)
    words = describe_rollup(criterion, party, counted, len(parties))
    return parties, words, describe_rolled_value(criterion, raw, party is not None)


def _arithmetic_path(scores: "ScoreSet", index: int | None) -> bool:
    while index is not None:
        node = scores.plan.nodes[index]
        if node.aggregation != "arithmetic":
            return False
        index = node.parent
    return True


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0]


def _node_line(node: NodeExplanation) -> str:
    if node.score is None:
        return f"{node.label}: insufficient data ({node.coverage:.0%} coverage)"
    weight = number(round(node.effective_weight, 4))
    return f"{node.label}: {node.score:.1f} points, weight {weight}, {node.contribution:.1f} points"


def _criterion_line(c: CriterionExplanation) -> str:
    marks = "".join(f" [{flag}]" for flag in c.flags if flag != "missing") + (" (context)" if c.context else "")
    gain = f"; up to +{c.improvement_potential:.1f}" if c.improvement_potential else ""
    read = (", ".join(f"{p.code} {p.value}" for p in c.parties) or c.rollup) if c.rollup is not None else None
    if c.normalised is None:
        return f"{c.label}: {read or 'missing'} -> not counted, its weight goes to the others{marks}{gain}"
    value = "missing" if "missing" in c.flags else c.value
    value = f"{read} -> {value}" if read is not None else value
    if c.arithmetic_path:
        return (
            f"{c.label}: {value} -> {c.normalised:.1f} points x weight {number(round(c.effective_weight, 4))}"
            f" = {c.contribution:.1f} of {c.max_contribution:.1f} points{marks}{gain}"
        )
    return (
        f"{c.label}: {value} -> {c.normalised:.1f} points, weight {number(round(c.effective_weight, 4))},"
        f" contributes {c.contribution:.1f} points (share of a non-arithmetic mean){marks}{gain}"
    )
