"""Benchmark the rubric engine against a plain numpy weighted sum (run: python benchmarks/bench_engine.py).

1. Scoring: 10,000 instruments x 40 indicators in 5 dimensions, 10% of values missing, a mix of goalposts,
   bands, ordinal and boolean criteria. 4 of the 40 indicators are party- or country-level: each instrument
   has 1 to 5 parties (3 on average) and a value for 90% of them, and their criteria roll the parties' values
   up (a mean, a minimum, a maximum as country context, a share of booleans; over all parties, or
   the perspective's party in the run from a perspective). The engine's full run
   (the roll-ups, normalisation, aggregation with missing-data re-normalisation, coverage, every node's score,
   effective weight and contribution for every instrument, ranks, grades: every array an explanation slices;
   a criterion's weights and contribution are products of these, taken for the instrument explained) is timed
   beside a plain weighted sum of the same normalised matrix with the same re-normalisation over missing
   values, ``(w @ where(present, z, 0)) / (w @ present)``. Beside it: the score range
   (``ScoreSet.score_range``, a cached property computed on first use, timed on fresh runs) and a run from one
   party's perspective.
2. Sensitivity: 1,000 weight samples on 1,000 instruments, as time per sample relative to one plain weighted
   sum of that size.

Times are the median of several runs. The engine is timed as a service runs it: the rubric is compiled once per
rubric version (``compile_rubric``: validation and the plan, timed and printed apart) and each timed run is
``score(plan, data)`` on an ``EngineInput`` built beforehand. Building it checks the party values, sorts them by
instrument and rolls them up over all parties (they depend on the data alone): timed and printed apart; in the run,
a roll-up over all parties is a copy of those, one from a perspective a comparison and a scatter over the values.
Minor page faults per run (memory the run touched for the first time) are printed beside the time.
"""

import dataclasses
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np

from scoring.catalogue import IndicatorSpec
from scoring.engine import EngineInput, ScoreSet, score
from scoring.plan import compile_rubric
from scoring.rollup import PartyColumn, PartyValues
from scoring.rubric import Rubric
from scoring.sensitivity import sensitivity

DIMENSIONS, PER_DIMENSION, MISSING = 5, 8, 0.10
LEVELS = ["none", "weak", "partial", "full"]
PARTY_CODES = 60
"""How many states the synthetic instruments draw their parties from."""
ROLLED = {
    "I07": ("party", "number", {"method": "mean", "over": "perspective"}),
    "I17": ("party", "number", {"method": "min", "over": "perspective"}),
    "I27": ("country", "number", {"method": "max", "over": "perspective"}),
    "I37": ("party", "boolean", {"method": "share", "over": "perspective"}),
}
"""The party- and country-level indicators: their level, value type and roll-up (over all parties unless a
perspective is asked for)."""


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
    extra: dict[str, object] = {}
    if key in ROLLED:
        level, value_type, rollup = ROLLED[key]
        kind = {"ordinal": kinds[3], "boolean": {"method": "goalposts", "min": 0.0, "max": 1.0}}.get(value_type, kind)
        extra = {"rollup": rollup, "context": level == "country"}
    return {
        "key": key.lower(),
        "label": key,
        "indicator": key,
        "weight": 1.0 + position % 3,
        "normalisation": kind,
        **extra,
    }


def spec(key: str) -> IndicatorSpec:
    """The catalogue entry of a benchmark indicator."""
    level, value_type, _ = ROLLED.get(key, ("instrument", "number", None))
    if key not in ROLLED:
        value_type = {3: "ordinal", 4: "boolean"}.get(int(key[2]), "number")
    levels = LEVELS if value_type == "ordinal" else []
    return IndicatorSpec.model_validate(
        {"key": key, "label": key, "value_type": value_type, "levels": levels, "level": level}
    )


def party_values(count: int, catalogue: dict[str, IndicatorSpec], rng: np.random.Generator) -> PartyValues:
    """1 to 5 distinct parties per instrument, and a value of each rolled-up indicator for 90% of them."""
    sizes = rng.integers(1, 6, size=count)
    rows = np.repeat(np.arange(count), sizes)
    within = np.arange(rows.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    # Steps of 7 through 60 codes never meet themselves within 5 steps: each instrument's parties are distinct.
    codes = (np.repeat(rng.integers(0, PARTY_CODES, size=count), sizes) + 7 * within) % PARTY_CODES
    names = np.array([f"P{code:02d}" for code in range(PARTY_CODES)])
    starts = np.cumsum(sizes) - sizes
    lists = tuple(tuple(names[codes[start : start + size]].tolist()) for start, size in zip(starts, sizes, strict=True))
    columns = {}
    for key in ROLLED:
        kept = rng.random(rows.size) >= MISSING
        levels = catalogue[key].level_count or (2 if catalogue[key].value_type == "boolean" else 0)
        values = rng.integers(0, levels, size=rows.size).astype(float) if levels else rng.uniform(0, 100, rows.size)
        columns[key] = PartyColumn(rows[kept], names[codes[kept]].tolist(), values[kept])
    return PartyValues(lists, columns)


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
    catalogue = {key: spec(key) for key in keys}
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 100.0, size=(count, len(keys)))
    for column, key in enumerate(keys):
        if catalogue[key].value_type != "number":
            values[:, column] = rng.integers(0, catalogue[key].level_count or 2, size=count)
    values[rng.random(values.shape) < MISSING] = np.nan
    values[:, [keys.index(key) for key in ROLLED]] = np.nan  # their values are the parties'
    ids = tuple(f"inst-{i}" for i in range(count))
    data = EngineInput(ids, tuple(keys), values, catalogue=catalogue, party_values=party_values(count, catalogue, rng))
    result = score(rubric, data)
    normalised = result.normalised.points
    dimension_share = np.array([1.0 + d for d in range(DIMENSIONS)]) / sum(1.0 + d for d in range(DIMENSIONS))
    within = np.array([1.0 + p % 3 for p in range(PER_DIMENSION)]) / sum(1.0 + p % 3 for p in range(PER_DIMENSION))
    return rubric, data, normalised, np.kron(dimension_share, within)


def range_seconds(run: Callable[[], ScoreSet]) -> float:
    """The time of the first read of a fresh run's score range (the property computes it then, once)."""
    result = run()
    start = time.perf_counter()
    _ = result.score_range
    return time.perf_counter() - start


def rebuilt(data: EngineInput) -> PartyValues | None:
    """The input's party values built again from their columns: the checks, the sort and the roll-ups over all
    parties."""
    given = data.party_values
    return None if given is None else PartyValues(given.party_lists, dict(given.columns), given.evidence)


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
    ranges = statistics.median(range_seconds(lambda: score(plan, data)) for _ in range(15))
    party = data.party_values.party_lists[0][0] if data.party_values else None
    perspective = median_seconds(lambda: score(plan, data, perspective=party), repeats=15)
    indexing = median_seconds(lambda: dataclasses.replace(data, party_values=rebuilt(data)), repeats=3)
    result = score(plan, data)
    explain = median_seconds(lambda: result.explain(data.instrument_ids[123]), repeats=20)
    print("scoring: 10,000 instruments x 40 indicators (4 on ~3 parties each, rolled up), 5 dimensions, 10% missing")
    print("  timed: score(plan, data): roll-ups, transforms, normalisation, aggregation with the trace, ranks, grades")
    print("  not timed: compiling the rubric (once per rubric version, below), building the input (below)")
    print(
        f"  engine, full results with explanation arrays: {engine * 1e3:8.2f} ms   ({faults:.0f} page faults per run)"
    )
    print(f"  plain numpy weighted sum (normalised matrix): {plain * 1e3:8.2f} ms")
    print(f"  ratio engine / plain:                         {engine / plain:8.2f} x   (target <= 5 x)")
    print(
        f"  score range, once per run (cached property):  {ranges * 1e3:8.2f} ms"
        f"   ({ranges / plain:.2f} x plain, {ranges / engine:.2f} x engine)"
    )
    print(
        f"  engine from one party's perspective:          {perspective * 1e3:8.2f} ms"
        f"   ({perspective / plain:.2f} x plain)"
    )
    print(f"  compiling the rubric, once per version:       {compiling * 1e3:8.2f} ms")
    print(f"  party values checked, sorted, rolled up:      {indexing * 1e3:8.2f} ms   (once per input)")
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
