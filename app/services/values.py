"""How an observed value must look for its indicator, and how it is stored and read back.

Numbers, percents, booleans (0/1) and ordinal positions are stored as ``value_number``; categories
as ``value_text``. The engine receives the same encoding: ordinal values as level positions.
"""

from dataclasses import dataclass

from app.models import Indicator
from app.models.types import ValueType


@dataclass(frozen=True)
class StoredValue:
    """A value in its storage columns."""

    number: float | None = None
    text: str | None = None


class ValueMismatch(ValueError):
    """The value does not fit its indicator; the message says why."""


def _as_number(indicator: Indicator, value: object) -> StoredValue:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueMismatch(f"{indicator.key} takes a number, not {value!r}")
    low = indicator.min if indicator.min is not None else _default_low(indicator)
    high = indicator.max if indicator.max is not None else _default_high(indicator)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueMismatch(f"{indicator.key} takes values from {_bound(low)} to {_bound(high)}, not {value!r}")
    return StoredValue(number=float(value))


def _default_low(indicator: Indicator) -> float | None:
    return 0.0 if indicator.value_type == ValueType.percent else None


def _default_high(indicator: Indicator) -> float | None:
    return 100.0 if indicator.value_type == ValueType.percent else None


def _bound(limit: float | None) -> str:
    return "any" if limit is None else f"{limit:g}"


def _as_boolean(indicator: Indicator, value: object) -> StoredValue:
    if not isinstance(value, bool):
        raise ValueMismatch(f"{indicator.key} takes true or false, not {value!r}")
    return StoredValue(number=float(value))


def _as_ordinal(indicator: Indicator, value: object) -> StoredValue:
    levels = indicator.levels
    if isinstance(value, str) and value in levels:
        return StoredValue(number=float(levels.index(value)))
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(levels):
        return StoredValue(number=float(value))
    raise ValueMismatch(
        f"{indicator.key} takes a level position from 0 to {len(levels) - 1} or one of its level labels, not {value!r}"
    )


def _as_category(indicator: Indicator, value: object) -> StoredValue:
    if not isinstance(value, str) or value not in indicator.categories:
        raise ValueMismatch(f"{indicator.key} takes one of {', '.join(indicator.categories)}, not {value!r}")
    return StoredValue(text=value)


_CONVERTERS = {
    ValueType.number: _as_number,
    ValueType.percent: _as_number,
    ValueType.boolean: _as_boolean,
    ValueType.ordinal: _as_ordinal,
    ValueType.category: _as_category,
}


def to_stored(indicator: Indicator, value: object) -> StoredValue:
    """Check ``value`` against the indicator and return its storage form; raise ValueMismatch if it does not fit."""
    return _CONVERTERS[ValueType(indicator.value_type)](indicator, value)
