"""Benchmark the rubric engine against a plain numpy weighted sum (run: python benchmarks/bench_engine.py).

1. Scoring: 10,000 instruments x 40 indicators in 5 dimensions, 10% of values missing, a mix of goalposts,
   bands, ordinal and boolean criteria. The engine's full run (normalisation, aggregation with missing-data
   re-normalisation, coverage, every node's score, effective weight and contribution for every instrument,
   ranks, grades: every array an explanation slices; a criterion's weights and contribution are products of
   these, taken for the instrument explained) is timed beside a plain weighted sum of the same normalised
   matrix with the same re-normalisation over missing values, ``(w @ where(present, z, 0)) / (w @ present)``.
2. Sensitivity: 1,000 weight samples on 1,000 instruments, as time per sample relative to one plain weighted
   sum of that size.

Times are the median of several runs. The engine is timed as a service runs it: the rubric is compiled once per
rubric version (``compile_rubric``: validation and the plan, timed and printed apart) and each timed run is
``score(plan, data)`` on an ``EngineInput`` built beforehand. Minor page faults per run (memory the run touched for
the first time) are printed beside the time.
"""

import resource
import statistics
import time
from collections.abc import Callable

import numpy as np

from scoring.catalogue import IndicatorSpec
from scoring.engine import EngineInput, score
from scoring.plan import compile_rubric
from scoring.rubric import Rubric
from scoring.sensitivity import sensitivity

DIMENSIONS, PER_DIMENSION, MISSING = 5, 8, 0.10
LEVELS = ["none", "weak", "partial", "full"]


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """The median wall time of ``repeats`` runs after one warm-up run."""
    return timed(run, repeats)[0]


def timed(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """The median wall time and median minor page faults of ``repeats`` runs after one warm-up run."""
    run()
    times, faults = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return statistics.median(times), statistics.median(faults)


def criterion(dimension: int, position: int) -> dict[str, object]:
    """A criterion of the benchmark rubric: mostly goalposts, some bands, ordinal maps and booleans."""
    key = f"I{dimension}{position}"
    kinds: list[dict[str, object]] = [
        {"method": "goalposts", "min": 0.0, "max": 100.0},
        {"method": "goalposts", "min": 0.0, "max": 100.0, "direction": "lower"},
        {"method": "bands", "bands": [{"min": 25.0, "points": 40.0}, {"min": 60.0, "points": 100.0}]},
        {"method": "ordinal", "points": dict(zip(LEVELS, (0.0, 30.0, 70.0, 100.0), strict=True))},
        {"method": "boolean"},
    ]
    kind = kinds[position % 5] if position < 5 else kinds[0]
    return {"key": key.lower(), "label": key, "indicator": key, "weight": 1.0 + position % 3, "normalisation": kind}


def build(count: int, seed: int) -> tuple[Rubric, EngineInput, np.ndarray, np.ndarray]:
    """The rubric, the input, the normalised matrix and the effective weights of a plain weighted sum."""
    rubric = Rubric.model_validate(
        {
            "key": "bench",
            "label": "Benchmark",
            "dimensions": [
                {
                    "key": f"d{d}",
                    "label": f"Dimension {d}",
                    "weight": 1.0 + d,
                    "criteria": [criterion(d, p) for p in range(PER_DIMENSION)],
                }
                for d in range(DIMENSIONS)
            ],
        }
    )
    keys = [f"I{d}{p}" for d in range(DIMENSIONS) for p in range(PER_DIMENSION)]
    catalogue = {
        key: IndicatorSpec(key=key, label=key, value_type="ordinal", levels=LEVELS)
        if int(key[2]) == 3
        else IndicatorSpec(key=key, label=key, value_type="boolean" if int(key[2]) == 4 else "number")
        for key in keys
    }
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 100.0, size=(count, len(keys)))
    for column, key in enumerate(keys):
        if catalogue[key].value_type != "number":
            values[:, column] = rng.integers(0, catalogue[key].level_count or 2, size=count)
    values[rng.random(values.shape) < MISSING] = np.nan
    data = EngineInput(tuple(f"inst-{i}" for i in range(count)), tuple(keys), values, catalogue=catalogue)
    result = score(rubric, data)
    normalised = result.normalised.points
    dimension_share = np.array([1.0 + d for d in range(DIMENSIONS)]) / sum(1.0 + d for d in range(DIMENSIONS))
    within = np.array([1.0 + p % 3 for p in range(PER_DIMENSION)]) / sum(1.0 + p % 3 for p in range(PER_DIMENSION))
    return rubric, data, normalised, np.kron(dimension_share, within)


def plain_weighted_sum(normalised: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The baseline: a weighted mean re-normalised over the values present (criteria x instruments)."""
    present = ~np.isnan(normalised)
    return np.asarray((weights @ np.where(present, normalised, 0.0)) / (weights @ present))


def main() -> None:
    """Run both benchmarks and print labelled lines."""
    rubric, data, normalised, weights = build(10_000, seed=7)
    compiling = median_seconds(lambda: compile_rubric(rubric, data.catalogue, data.indicator_keys), repeats=5)
    plan = compile_rubric(rubric, data.catalogue, data.indicator_keys)
    engine, faults = timed(lambda: score(plan, data), repeats=15)
    plain = median_seconds(lambda: plain_weighted_sum(normalised, weights), repeats=50)
    result = score(plan, data)
    explain = median_seconds(lambda: result.explain(data.instrument_ids[123]), repeats=20)
    print("scoring: 10,000 instruments x 40 indicators, 5 dimensions, 10% missing")
    print("  timed: score(plan, data): transforms, normalisation, aggregation with the trace, ranks, grades")
    print("  not timed: compiling the rubric (once per rubric version, below), building the input")
    print(
        f"  engine, full results with explanation arrays: {engine * 1e3:8.2f} ms   ({faults:.0f} page faults per run)"
    )
    print(f"  plain numpy weighted sum (normalised matrix): {plain * 1e3:8.2f} ms")
    print(f"  ratio engine / plain:                         {engine / plain:8.2f} x   (target <= 5 x)")
    print(f"  compiling the rubric, once per version:       {compiling * 1e3:8.2f} ms")
    print(f"  one explanation, rendered on demand:          {explain * 1e3:8.2f} ms")

    rubric, data, normalised, weights = build(1_000, seed=11)
    samples = 1_000
    plan = compile_rubric(rubric, data.catalogue, data.indicator_keys)
    run = median_seconds(lambda: sensitivity(plan, data, samples=samples, spread=0.25, seed=1), repeats=3)
    plain = median_seconds(lambda: plain_weighted_sum(normalised, weights), repeats=200)
    per_sample = run / samples
    print("sensitivity: 1,000 samples on 1,000 instruments (timed: sensitivity(plan, data), baseline run included)")
    print(f"  total:                                        {run * 1e3:8.2f} ms")
    print(f"  per sample:                                   {per_sample * 1e6:8.1f} us")
    print(f"  one plain weighted sum, 1,000 instruments:    {plain * 1e6:8.1f} us")
    print(f"  per sample / one plain weighted sum:          {per_sample / plain:8.2f} x")


if __name__ == "__main__":
    main()
