"""Monte Carlo weight sensitivity: seeded, reproducible, and honest about which weights matter."""

import numpy as np
import pytest

from scoring.engine import EngineInput
from scoring.rubric import Rubric
from scoring.sensitivity import sensitivity


@pytest.fixture
def data() -> EngineInput:
    rng = np.random.default_rng(3)
    values = rng.uniform(0.0, 100.0, size=(12, 3))
    values[0] = [100.0, 100.0, 100.0]
    return EngineInput(tuple(f"i{n:02}" for n in range(12)), ("A", "B", "C"), values)


def test_the_same_seed_gives_the_same_result(rubric: Rubric, data: EngineInput) -> None:
    first = sensitivity(rubric, data, samples=300, spread=0.4, seed=42)
    second = sensitivity(rubric, data, samples=300, spread=0.4, seed=42)
    for name in ("median_ranks", "rank_low", "rank_high", "mean_rank_shift"):
        assert np.array_equal(getattr(first, name), getattr(second, name), equal_nan=True), name
    assert first.influence == second.influence


def test_another_seed_gives_another_sample(rubric: Rubric, data: EngineInput) -> None:
    first = sensitivity(rubric, data, samples=300, spread=0.4, seed=42)
    other = sensitivity(rubric, data, samples=300, spread=0.4, seed=43)
    assert [i.first_order for i in first.influence] != [i.first_order for i in other.influence]


def test_a_dominant_instrument_keeps_rank_1_in_every_sample(rubric: Rubric, data: EngineInput) -> None:
    result = sensitivity(rubric, data, samples=200, spread=0.5, seed=1)
    assert (result.baseline_ranks[0], result.median_ranks[0], result.rank_low[0], result.rank_high[0]) == (1, 1, 1, 1)
    assert result.mean_rank_shift[0] == 0.0
    assert ((result.rank_low <= result.median_ranks) & (result.median_ranks <= result.rank_high)).all()


def test_a_weight_that_cannot_move_the_ranking_has_the_least_influence(rubric: Rubric, data: EngineInput) -> None:
    # "c" is the only criterion of its dimension: re-normalisation cancels any change of its weight.
    result = sensitivity(rubric, data, samples=1000, spread=0.5, seed=5)
    assert result.influence[-1].key == "c"
    assert result.influence[-1].first_order < 0.02
    assert {i.key for i in result.influence[:2]} <= {"legal", "outcomes", "a", "b"}
    assert sum(i.first_order for i in result.influence) <= 1.1


def test_only_the_named_weights_are_perturbed(rubric: Rubric, data: EngineInput) -> None:
    result = sensitivity(rubric, data, samples=50, spread=0.3, seed=2, keys=["legal", "outcomes"])
    assert [i.key for i in sorted(result.influence, key=lambda i: i.key)] == ["legal", "outcomes"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"samples": 1}, "at least 2 samples", id="too-few-samples"),
        pytest.param({"spread": 1.0}, "spread between 0 and 1", id="spread-too-wide"),
        pytest.param({"keys": ["nope"]}, "'nope'", id="unknown-weight-key"),
    ],
)
def test_bad_sensitivity_settings_are_refused(
    rubric: Rubric, data: EngineInput, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        sensitivity(rubric, data, **options)  # type: ignore[arg-type]
