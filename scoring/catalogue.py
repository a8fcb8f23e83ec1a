"""The indicator catalogue as the engine sees it, and how indicator values become numbers.

The engine computes on one float64 matrix, so every value is encoded as a number first:

* ``number`` and ``percent``: the value itself;
* ``boolean``: 1.0 for true, 0.0 for false;
* ``ordinal``: the level's position in :attr:`IndicatorSpec.levels` (0 for the lowest level, k - 1 for the
  highest);
* ``category``: the category's position in :attr:`IndicatorSpec.categories`;
* a missing value: NaN.

:func:`encode_value` does this for one value; the app builds the engine's matrix with it.

Each indicator also declares its :data:`IndicatorLevel`, what its facts are about: the instrument itself
(``instrument``, a column of the engine's matrix), one party's relation to an instrument (``party``), or a
country regardless of any instrument (``country``). Party and country values reach the engine per
(instrument, party) in :class:`scoring.rollup.PartyValues`, and a criterion rolls them up.
"""

import math
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, model_validator

ValueType = Literal["number", "percent", "boolean", "ordinal", "category"]
IndicatorDirection = Literal["higher", "lower", "neutral"]
IndicatorLevel = Literal["instrument", "party", "country"]


class IndicatorSpec(BaseModel):
    """One catalogue entry: what the engine needs to know about an indicator.

    >>> spec = IndicatorSpec(key="LD01", label="Bindingness", value_type="ordinal",
    ...                      levels=["political", "partly binding", "binding"])
    >>> spec.level_count
    3
    >>> IndicatorSpec(key="HR05", label="TIP tier", value_type="ordinal", levels=["3", "2WL", "2", "1"],
    ...               level="country").level
    'country'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=64)
    label: str = Field(min_length=1)
    value_type: ValueType = "number"
    levels: list[str] = Field(default_factory=list, description="Ordinal levels from lowest to highest.")
    categories: list[str] = Field(default_factory=list, description="Category keys, in their encoded order.")
    min: FiniteFloat | None = None
    max: FiniteFloat | None = None
    direction: IndicatorDirection = "higher"
    unit: str | None = None
    level: IndicatorLevel = Field(
        default="instrument",
        description="What a value is about: the instrument, one party's relation to it, or a country.",
    )

    @model_validator(mode="after")
    def _shape_fits_type(self) -> Self:
        """Refuse levels on a non-ordinal indicator, too few levels, duplicates and an empty range."""
        if self.value_type == "ordinal" and len(self.levels) < 2:
            raise ValueError("an ordinal indicator needs at least two levels")
        if self.value_type != "ordinal" and self.levels:
            raise ValueError("only ordinal indicators have levels")
        if self.value_type == "category" and len(self.categories) < 2:
            raise ValueError("a category indicator needs at least two categories")
        if self.value_type != "category" and self.categories:
            raise ValueError("only category indicators have categories")
        if len(set(self.levels)) != len(self.levels) or len(set(self.categories)) != len(self.categories):
            raise ValueError("levels and categories must be distinct")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        return self

    @property
    def level_count(self) -> int:
        """How many ordinal levels or categories the indicator has (0 for other types)."""
        return len(self.levels) or len(self.categories)


def encode_value(spec: IndicatorSpec, value: object) -> float:
    """Encode one indicator value as the engine's float (see the module docstring).

    Args:
        spec: the indicator's catalogue entry.
        value: the recorded value: a number, a bool, a level or category key, or None for missing.

    Returns:
        The float the engine computes with; NaN for a missing value.

    Raises:
        ValueError: the value does not fit the indicator's type, levels or categories.

    >>> levels = ["none", "vague", "fixed"]
    >>> spec = IndicatorSpec(key="RA03", label="Deadlines", value_type="ordinal", levels=levels)
    >>> encode_value(spec, "fixed"), encode_value(spec, None)
    (2.0, nan)
    >>> encode_value(IndicatorSpec(key="B", label="Binding", value_type="boolean"), True)
    1.0
    """
    if value is None:
        return math.nan
    if spec.value_type in ("ordinal", "category"):
        choices = spec.levels or spec.categories
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"{spec.key}: {value!r} is not one of {', '.join(choices)}")
        return float(choices.index(value))
    if spec.value_type == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{spec.key}: {value!r} is not a boolean")
        return 1.0 if value else 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{spec.key}: {value!r} is not a finite number")
    return float(value)
