"""Differences between rubric versions: a field left out counts as its default."""

import copy
from typing import Any

from scoring.diff import rubric_diff
from scoring.rubric import Rubric

STORED_BEFORE_ROLLUPS: dict[str, Any] = {
    "key": "r",
    "label": "R",
    "dimensions": [
        {
            "key": "d",
            "label": "D",
            "criteria": [{"key": "c", "label": "C", "indicator": "X", "normalisation": {"method": "rank"}}],
        }
    ],
}


def test_a_version_stored_before_a_field_existed_differs_only_where_the_new_one_says_otherwise() -> None:
    newer = Rubric.model_validate(STORED_BEFORE_ROLLUPS).model_dump(mode="json")
    assert rubric_diff(STORED_BEFORE_ROLLUPS, newer) == []
    newer["dimensions"][0]["criteria"][0]["context"] = True
    newer["context_factor"] = 0.25
    changes = [
        (change.key, change.field, change.before, change.after) for change in rubric_diff(STORED_BEFORE_ROLLUPS, newer)
    ]
    assert changes == [("(rubric)", "context_factor", 0.5, 0.25), ("c", "context", False, True)]


def test_an_added_criterion_is_reported_in_its_complete_form() -> None:
    after = copy.deepcopy(STORED_BEFORE_ROLLUPS)
    after["dimensions"][0]["criteria"].append(
        {"key": "e", "label": "E", "indicator": "Y", "normalisation": {"method": "rank"}}
    )
    changes = rubric_diff(STORED_BEFORE_ROLLUPS, after)
    assert [(change.kind, change.key) for change in changes] == [("added", "e")]
    assert (changes[0].after["rollup"], changes[0].after["context"], changes[0].after["weight"]) == (None, False, 1.0)
