"""Scoring an empty set of instruments gives empty results, not an error (a new store has none)."""

import numpy as np

from scoring.engine import EngineInput, score
from scoring.rubric import Rubric

RUBRIC = Rubric.model_validate(
    {
        "key": "r",
        "label": "R",
        "dimensions": [
            {
                "key": "d",
                "label": "D",
                "criteria": [
                    {"key": "goal", "label": "G", "indicator": "X",
                     "normalisation": {"method": "goalposts", "min": 0, "max": 10}},
                    {"key": "flag", "label": "F", "indicator": "Y", "normalisation": {"method": "boolean"}},
                    {"key": "share", "label": "P", "indicator": "X", "normalisation": {"method": "percentile"}},
                    {"key": "spread", "label": "Z", "indicator": "X", "normalisation": {"method": "zscore"}},
                ],
            }
        ],
    }
)  # fmt: skip


def test_no_instruments_give_empty_scores_ranks_and_grades() -> None:
    result = score(RUBRIC, EngineInput((), ("X", "Y"), np.empty((0, 2))))

    assert (result.scores.shape, result.ranks.shape, result.grades.tolist()) == ((0,), (0,), [])
