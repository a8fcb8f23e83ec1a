"""Facts about an instrument's parties, and their roll-up into one value per instrument, vectorised.

A *party-level* indicator holds a fact about one party's relation to an instrument (ratified, in force for
it); a *country-level* one a fact about a country regardless of any instrument (a TIP tier). The engine takes
both the same way, per (instrument row, party): the app gives a country's fact once for every instrument the
country is a party of, and the catalogue's :attr:`~scoring.catalogue.IndicatorSpec.level` tells them apart.

* :class:`PartyColumn` holds one indicator's values as flat arrays (instrument row, party code, encoded value,
  optional evidence key per value);
* :class:`PartyValues` holds the columns, each instrument's parties and the evidence behind the keys. It
  checks and indexes the columns once, when it is built: each is sorted by instrument row, then value, and
  its roll-ups over all parties, which depend on the data alone, are computed there for every instrument at
  once: the means in one ``bincount``, the minima and maxima in one gather each of the first and last value
  of every instrument's run (a share is the mean of booleans encoded 0/1). A service scoring one input under
  several rubrics, weights or previews rolls it up once;
* :meth:`PartyValues.roll_up` gives one value per instrument (see :class:`~scoring.rubric.Rollup`): over all
  parties a copy of those, from a perspective one comparison over the values and one scatter. NaN where no
  (chosen) party has a value.

Memory: per column, its sorted values, rows, party codes and positions, and three floats per instrument.

A value that is NaN counts as no value. A party without a value does not count: neither as false nor as 0.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from scoring.arrays import FloatArray, IntArray
from scoring.catalogue import IndicatorSpec, encode_value
from scoring.rubric import MAGNITUDE, RollupMethod

StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True)
class PartyColumn:
    """The values of one party- or country-level indicator: one per (instrument row, party), as flat arrays.

    Attributes:
        rows: the instrument row (in :class:`~scoring.engine.EngineInput`) of each value.
        parties: the party code of each value (``"UZB"``, ``"EU"``): one of that instrument's parties.
        values: each value encoded as in :mod:`scoring.catalogue` (booleans 0/1, ordinal level positions,
            category positions); NaN is no value; else within ±``MAGNITUDE`` (1e15).
        evidence_keys: optional, per value, a key into :attr:`PartyValues.evidence` (None: no evidence).

    Raises:
        ValueError: arrays of different lengths, rows that are not integers, a party code that is not a
            non-empty string, or a value beyond ±``MAGNITUDE``.

    >>> column = PartyColumn(np.array([0, 0, 1]), ("UZB", "KAZ", "UZB"), np.array([2.0, 1.0, np.nan]))
    >>> column.rows.dtype == np.intp, len(column.parties)
    (True, 3)
    """

    rows: IntArray
    parties: Sequence[str]
    values: FloatArray
    evidence_keys: Sequence[str | None] | None = None

    def __post_init__(self) -> None:
        rows, values = np.asarray(self.rows), np.asarray(self.values, dtype=np.float64)
        if rows.ndim != 1 or (rows.size and not np.issubdtype(rows.dtype, np.integer)):
            raise ValueError(f"rows must be a vector of instrument rows (integers), got {rows.dtype} {rows.shape}")
        if values.ndim != 1:
            raise ValueError(f"values must be a vector, got shape {values.shape}")
        lengths = [len(rows), len(self.parties), len(values)]
        if self.evidence_keys is not None:
            lengths.append(len(self.evidence_keys))
        if len(set(lengths)) != 1:
            raise ValueError(f"rows, parties, values and evidence keys need one entry per value, got {lengths}")
        if not all(isinstance(party, str) and party for party in self.parties):
            raise ValueError("every party code must be a non-empty string")
        if (np.abs(values) > MAGNITUDE).any():  # NaN compares false: a missing value passes
            raise ValueError(f"values must be NaN or finite within ±{MAGNITUDE:g}")
        object.__setattr__(self, "rows", rows.astype(np.intp, copy=False))
        object.__setattr__(self, "values", values)


@dataclass(frozen=True)
class _Indexed:
    """One column as the roll-ups read it: the values present, sorted by instrument row, then value."""

    rows: IntArray
    codes: IntArray
    """Each value's party, as its position in the sorted vocabulary of party codes."""
    values: FloatArray
    source: IntArray
    """Each value's position in its :class:`PartyColumn` (for its evidence key)."""
    means: FloatArray
    """Per instrument row, the mean over its parties' values (NaN: none); a share of booleans is this mean."""
    lows: FloatArray
    """Per instrument row, the least of its parties' values (NaN: none)."""
    highs: FloatArray
    """Per instrument row, the greatest of its parties' values (NaN: none)."""


@dataclass(frozen=True)
class PartyValues:
    """The party- and country-level values of a scored set, with each instrument's parties.

    Attributes:
        party_lists: per instrument row (in the order of :class:`~scoring.engine.EngineInput`), the codes of
            its parties, distinct; an instrument may have none.
        columns: per indicator key, its :class:`PartyColumn`. An indicator without a column has no value.
        evidence: by evidence key, whatever backs a value (source, date, confidence...); explanations hand it
            back unchanged beside the key.

    Raises:
        ValueError: a party listed twice for one instrument, a value's row that is no instrument row, a value
            for a state or organisation that is not a party of its instrument, or two values of one indicator
            for the same instrument and party.

    >>> tiers = PartyColumn(np.array([0, 0, 1]), ("UZB", "KAZ", "UZB"), np.array([2.0, 1.0, 3.0]))
    >>> values = PartyValues((("UZB", "KAZ"), ("UZB",), ()), {"HR05": tiers})
    >>> values.roll_up("HR05", "mean").tolist(), values.roll_up("HR05", "min").tolist()
    ([1.5, 3.0, nan], [1.0, 3.0, nan])
    >>> values.roll_up("HR05", "mean", party="KAZ").tolist()
    [1.0, nan, nan]
    """

    party_lists: tuple[tuple[str, ...], ...]
    columns: Mapping[str, PartyColumn] = field(default_factory=dict)
    evidence: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    _vocabulary: StrArray = field(init=False, repr=False, compare=False)
    _indexed: dict[str, _Indexed] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lists = tuple(tuple(parties) for parties in self.party_lists)
        object.__setattr__(self, "party_lists", lists)
        flat = [party for parties in lists for party in parties]
        if not all(isinstance(party, str) and party for party in flat):
            raise ValueError("every party code must be a non-empty string")
        for row, parties in enumerate(lists):
            if len(set(parties)) != len(parties):
                raise ValueError(f"instrument row {row} lists a party twice: {', '.join(parties)}")
        vocabulary = np.unique(np.array(flat, dtype=np.str_))
        member_rows = np.repeat(np.arange(len(lists), dtype=np.intp), [len(parties) for parties in lists])
        members = member_rows * vocabulary.size + np.searchsorted(vocabulary, np.array(flat, dtype=np.str_))
        object.__setattr__(self, "_vocabulary", vocabulary)
        indexed = {key: _index(key, column, vocabulary, members, len(lists)) for key, column in self.columns.items()}
        object.__setattr__(self, "_indexed", indexed)

    @classmethod
    def from_records(
        cls,
        instrument_ids: Sequence[str],
        party_lists: Mapping[str, Sequence[str]],
        values: Mapping[tuple[str, str], Mapping[str, object]],
        catalogue: Mapping[str, IndicatorSpec],
        *,
        evidence_keys: Mapping[tuple[str, str, str], str] | None = None,
        evidence: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> "PartyValues":
        """Build from plain values per (instrument id, party code), encoding each with its catalogue entry.

        A convenience for small sets and tests (it loops in Python); bulk callers build the columns directly.

        Args:
            instrument_ids: the instruments in the engine input's order.
            party_lists: each instrument's parties (an instrument left out has none).
            values: per (instrument id, party code), the values by indicator key (None: no value).
            catalogue: the specs that encode the values.
            evidence_keys: per (instrument id, party code, indicator key), the key of its evidence.
            evidence: the evidence by key.

        Raises:
            ValueError: an instrument that is not in ``instrument_ids``, an indicator the catalogue lacks, a
                value that does not fit its indicator, or a value that :class:`PartyValues` refuses.

        >>> spec = IndicatorSpec(key="IM02", label="In force for the party", value_type="boolean", level="party")
        >>> party_values = PartyValues.from_records(("a", "b"), {"a": ["UZB", "KAZ"]},
        ...     {("a", "UZB"): {"IM02": True}, ("a", "KAZ"): {"IM02": False}}, {"IM02": spec})
        >>> party_values.roll_up("IM02", "share").tolist()
        [0.5, nan]
        """
        row_of = {instrument: row for row, instrument in enumerate(instrument_ids)}
        unknown = sorted({instrument for instrument, _ in values} - set(row_of))
        if unknown or not set(party_lists) <= set(row_of):
            names = unknown or sorted(set(party_lists) - set(row_of))
            raise ValueError(f"party values of instruments not in the input: {', '.join(names)}")
        cells: dict[str, tuple[list[int], list[str], list[float], list[str | None]]] = {}
        for (instrument, party), by_indicator in values.items():
            for key, value in by_indicator.items():
                if key not in catalogue:
                    raise ValueError(f"party values of {key!r}, which the catalogue lacks")
                rows, parties, numbers, keys = cells.setdefault(key, ([], [], [], []))
                rows.append(row_of[instrument])
                parties.append(party)
                numbers.append(encode_value(catalogue[key], value))
                keys.append((evidence_keys or {}).get((instrument, party, key)))
        columns = {
            key: PartyColumn(np.array(rows, dtype=np.intp), parties, np.array(numbers), keys if evidence_keys else None)
            for key, (rows, parties, numbers, keys) in cells.items()
        }
        lists = tuple(tuple(party_lists.get(instrument, ())) for instrument in instrument_ids)
        return cls(lists, columns, evidence or {})

    def roll_up(
        self, key: str, method: RollupMethod, party: str | None = None, *, out: FloatArray | None = None
    ) -> FloatArray:
        """One value per instrument row: the roll-up of its parties' values of indicator ``key``.

        Args:
            key: the indicator.
            method: ``mean``, ``min``, ``max``, or ``share`` (of booleans encoded 0/1, the mean: the share of
                the parties with a value where it holds, 0..1).
            party: when given, that party's value alone, whatever the method (NaN where it is not a party or
                has no value).
            out: where to write the values (a vector with one entry per instrument); allocated when None.

        Returns:
            ``out`` or a new vector: NaN where no (chosen) party has a value.

        >>> ratified = PartyColumn(np.array([0, 0, 0]), ("UZB", "KAZ", "TJK"), np.array([1.0, 0.0, np.nan]))
        >>> values = PartyValues((("UZB", "KAZ", "TJK"), ("UZB",)), {"RAT": ratified})
        >>> values.roll_up("RAT", "share").tolist(), values.roll_up("RAT", "max", party="TJK").tolist()
        ([0.5, nan], [nan, nan])
        """
        count = len(self.party_lists)
        result = np.empty(count) if out is None else out
        column = self._indexed.get(key)
        if column is None or column.values.size == 0:
            result.fill(np.nan)
            return result
        if party is not None:
            result.fill(np.nan)
            code = self.code_of(party)
            if code is not None:
                chosen = column.codes == code
                result[column.rows[chosen]] = column.values[chosen]
            return result
        np.copyto(result, column.lows if method == "min" else column.highs if method == "max" else column.means)
        return result

    def code_of(self, party: str) -> int | None:
        """The position of a party code among all parties of the set; None when no instrument has that party.

        >>> values = PartyValues((("UZB", "KAZ"),))
        >>> values.code_of("UZB"), values.code_of("TKM")
        (1, None)
        """
        position = int(np.searchsorted(self._vocabulary, party))
        found = position < self._vocabulary.size and self._vocabulary[position] == party
        return position if found else None

    def read(self, key: str, row: int, party: str | None = None) -> list[tuple[str, float, str | None]]:
        """The parties a roll-up reads for one instrument, in the order of its party list.

        Each is ``(party code, encoded value or NaN, evidence key or None)``: every party of the instrument,
        or with ``party`` given, that party alone when it is one (else none).

        >>> values = PartyValues((("UZB", "KAZ"),), {"X": PartyColumn(np.array([0]), ("KAZ",), np.array([1.0]))})
        >>> values.read("X", 0)
        [('UZB', nan, None), ('KAZ', 1.0, None)]
        """
        parties = self.party_lists[row]
        if party is not None:
            parties = (party,) if party in parties else ()
        column = self._indexed.get(key)
        found: dict[str, tuple[float, int]] = {}
        if column is not None:
            low, high = np.searchsorted(column.rows, [row, row + 1])
            for at in range(int(low), int(high)):
                found[str(self._vocabulary[column.codes[at]])] = (float(column.values[at]), int(column.source[at]))
        keys = self.columns[key].evidence_keys if key in self.columns else None
        return [
            (name, found[name][0], keys[found[name][1]] if keys is not None else None)
            if name in found
            else (name, float("nan"), None)
            for name in parties
        ]


def _index(key: str, column: PartyColumn, vocabulary: StrArray, members: IntArray, count: int) -> _Indexed:
    """Check one column against the instruments' parties and sort it by instrument row, then value."""
    rows, size = column.rows, vocabulary.size
    if rows.size and (rows.min() < 0 or rows.max() >= count):
        bad = int(rows[(rows < 0) | (rows >= count)][0])
        raise ValueError(f"party values of {key!r}: {bad} is not an instrument row (0..{count - 1})")
    parties = np.array(column.parties, dtype=np.str_)
    codes = np.minimum(np.searchsorted(vocabulary, parties), max(size - 1, 0))
    pairs = rows * size + codes
    belongs = np.isin(pairs, members) & (vocabulary[codes] == parties if size else np.zeros(rows.size, np.bool_))
    if not belongs.all():
        at = int(np.flatnonzero(~belongs)[0])
        raise ValueError(f"party values of {key!r}: {str(parties[at])!r} is not a party of instrument row {rows[at]}")
    ordered = np.sort(pairs)
    twice = np.flatnonzero(ordered[1:] == ordered[:-1])
    if twice.size:
        row, code = divmod(int(ordered[twice[0]]), size)
        raise ValueError(f"party values of {key!r}: two values for {str(vocabulary[code])!r} of instrument row {row}")
    present = np.flatnonzero(~np.isnan(column.values))
    order = present[np.lexsort((column.values[present], rows[present]))]
    sorted_rows = rows[order]
    first = np.empty(sorted_rows.size, dtype=np.bool_)
    first[:1] = True
    np.not_equal(sorted_rows[1:], sorted_rows[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], sorted_rows.size).astype(np.intp)[: starts.size]  # none without values
    values = column.values[order]
    counts = np.bincount(sorted_rows, minlength=count).astype(np.float64)
    # A row without values divides 0 by NaN: a quiet NaN, no warning.
    means = np.bincount(sorted_rows, weights=values, minlength=count) / np.where(counts > 0, counts, np.nan)
    lows, highs = np.full(count, np.nan), np.full(count, np.nan)
    # Each run is sorted by value: its first value is the least, its last the greatest.
    lows[sorted_rows[starts]] = values[starts]
    highs[sorted_rows[starts]] = values[ends - 1]
    return _Indexed(sorted_rows, codes[order], values, order, means, lows, highs)


def code_problem(key: str, column: PartyColumn, spec: IndicatorSpec) -> str | None:
    """Why a column's values do not fit its catalogue entry, or None: an instrument-level indicator, or a
    boolean, ordinal or category value that is no whole code of it.

    >>> spec = IndicatorSpec(key="IM02", label="In force", value_type="boolean", level="party")
    >>> code_problem("IM02", PartyColumn(np.array([0]), ("UZB",), np.array([2.0])), spec)
    "party values of 'IM02': 2.0 is no boolean code (0..1)"
    """
    if spec.level == "instrument":
        return f"{key!r} is an instrument-level indicator: its values go in the instruments' matrix"
    if spec.value_type not in ("boolean", "ordinal", "category"):
        return None
    highest = 1 if spec.value_type == "boolean" else spec.level_count - 1
    present = column.values[~np.isnan(column.values)]
    bad = present[(present < 0) | (present > highest) | (present != np.floor(present))]
    if bad.size:
        return f"party values of {key!r}: {bad[0]} is no {spec.value_type} code (0..{highest})"
    return None
