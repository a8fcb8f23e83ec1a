"""The vectorised aggregation and its trace match a straightforward per-instrument reference on random inputs."""

import math

import numpy as np
import pytest

from scoring.engine import EngineInput, score
from scoring.normalise import ColumnRule, normalise
from scoring.plan import compile_rubric
from scoring.rubric import Goalposts, Rubric


def _random_case(seed: int) -> tuple[Rubric, EngineInput]:
    """Two levels of arithmetic nodes under renormalisation, capped goalposts criteria, random weights and gaps.

    Uncapped points can make a score negative; its contributions are then reported as 0 (a known limit of the
    shares), so the reference sticks to points within 0..100.
    """
    rng = np.random.default_rng(seed)
    dimensions, keys = [], []
    for d in range(int(rng.integers(1, 4))):
        criteria = []
        for c in range(int(rng.integers(1, 6))):
            key = f"X{d}{c}"
            keys.append(key)
            low, high = sorted(rng.choice([0.0, 20.0, 50.0, 100.0], size=2, replace=False))
            criteria.append(
                {
                    "key": key.lower(),
                    "label": key,
                    "indicator": key,
                    "weight": float(rng.choice([0.5, 1.0, 2.0, 3.0])),
                    "normalisation": {
                        "method": "goalposts",
                        "min": low,
                        "max": high,
                        "capped": True,
                    },
                }
            )
        dimensions.append(
            {"key": f"d{d}", "label": f"D{d}", "weight": float(rng.uniform(0.5, 3.0)), "criteria": criteria}
        )
    rubric = Rubric.model_validate({"key": "r", "label": "R", "dimensions": dimensions})
    count = int(rng.integers(2, 40))
    values = rng.uniform(-20.0, 120.0, size=(count, len(keys)))
    values[rng.random(values.shape) < 0.3] = np.nan
    return rubric, EngineInput(tuple(f"i{row}" for row in range(count)), tuple(keys), values)


def _reference(rubric: Rubric, data: EngineInput, row: int) -> dict[str, object]:
    """Score one instrument the long way: points, weighted means over what is present, weights down the tree."""
    column = {key: position for position, key in enumerate(data.indicator_keys)}
    dimensions = []
    for dimension in rubric.dimensions:
        parts = []
        for criterion in dimension.criteria or []:
            spec = criterion.normalisation
            assert isinstance(spec, Goalposts)
            value = float(data.values[row, column[criterion.indicator]])
            points = 100.0 * (value - spec.min) / (spec.max - spec.min)
            if spec.capped:
                points = min(max(points, 0.0), 100.0)
            parts.append((criterion.weight, points))
        present = [(weight, points) for weight, points in parts if not math.isnan(points)]
        total = sum(weight for weight, _ in present)
        mean = sum(weight * points for weight, points in present) / total if total else math.nan
        dimensions.append((dimension.weight, mean, parts, total))
    scored = [(weight, mean) for weight, mean, _, _ in dimensions if not math.isnan(mean)]
    total = sum(weight for weight, _ in scored)
    final = sum(weight * mean for weight, mean in scored) / total if total else math.nan
    effective, contributions = [], []
    for weight, mean, parts, inner in dimensions:
        share = weight / total if total and not math.isnan(mean) else 0.0
        for criterion_weight, points in parts:
            local = criterion_weight / inner if inner and not math.isnan(points) else 0.0
            effective.append(share * local)
            contributions.append(share * local * points if local else 0.0)
    return {
        "score": final,
        "dimensions": [mean for _, mean, _, _ in dimensions],
        "effective": effective,
        "contributions": contributions,
    }


@pytest.mark.parametrize("seed", range(40))
def test_scores_weights_and_contributions_match_the_per_instrument_reference(seed: int) -> None:
    rubric, data = _random_case(seed)
    plan = compile_rubric(rubric, indicator_keys=data.indicator_keys)
    result = score(plan, data)
    for row, instrument in enumerate(data.instrument_ids):
        expected = _reference(rubric, data, row)
        explanation = result.explain(instrument)
        assert explanation.score == pytest.approx(None if math.isnan(expected["score"]) else expected["score"])
        for node, mean in zip(explanation.nodes[1:], expected["dimensions"], strict=True):
            assert node.score == pytest.approx(None if math.isnan(mean) else mean)
        assert [c.effective_weight for c in explanation.criteria] == pytest.approx(expected["effective"])
        assert [c.contribution for c in explanation.criteria] == pytest.approx(expected["contributions"])
        if explanation.score is not None:
            assert sum(c.contribution for c in explanation.criteria) == pytest.approx(explanation.score, abs=1e-9)
            assert sum(n.contribution for n in explanation.nodes[1:]) == pytest.approx(explanation.score, abs=1e-9)


@pytest.mark.parametrize("seed", range(10))
def test_goalposts_cap_and_flag_the_same_cells_as_a_cell_by_cell_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    specs = [
        Goalposts(method="goalposts", min=float(low), max=float(low + width), capped=bool(capped))
        for low, width, capped in zip(
            rng.uniform(-50, 50, 6), rng.uniform(10, 100, 6), rng.random(6) < 0.6, strict=True
        )
    ]
    rules = [ColumnRule(spec, higher=bool(higher)) for spec, higher in zip(specs, rng.random(6) < 0.5, strict=True)]
    x = rng.uniform(-100.0, 200.0, size=(6, 50))
    x[rng.random(x.shape) < 0.2] = np.nan
    result = normalise(rules, x)
    expected_cells = []
    for row, rule in enumerate(rules):
        spec = rule.spec
        assert isinstance(spec, Goalposts)
        for cell, value in enumerate(x[row]):
            share = (value - spec.min) / (spec.max - spec.min)
            points = 100.0 * (share if rule.higher else 1.0 - share)
            if spec.capped and not math.isnan(points) and not 0.0 <= points <= 100.0:
                expected_cells.append(row * x.shape[1] + cell)
                points = min(max(points, 0.0), 100.0)
            assert result.points[row, cell] == pytest.approx(points, nan_ok=True, abs=1e-9)
    assert result.capped.tolist() == expected_cells


def test_a_plan_scores_batches_of_weights_as_separate_runs() -> None:
    from scoring.aggregate import aggregate

    rubric, data = _random_case(3)
    plan = compile_rubric(rubric, indicator_keys=data.indicator_keys)
    points = score(plan, data).normalised.points
    rng = np.random.default_rng(1)
    batch = plan.weights[None, :] * rng.uniform(0.5, 1.5, size=(5, plan.weights.size))
    together = aggregate(plan, points, batch)
    for sample in range(5):
        alone = aggregate(plan, points, batch[sample : sample + 1])
        np.testing.assert_allclose(together.nodes[sample], alone.nodes[0], rtol=1e-12)
        np.testing.assert_allclose(together.coverage[sample], alone.coverage[0], rtol=1e-12)
