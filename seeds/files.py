"""The seed files: read them, and check every body with the API's own request models before anything is stored.

``DIR/instruments.json`` holds ``{"about": [...], "instruments": [InstrumentCreate, ...]}``,
``DIR/indicators.json`` ``{"about": [...], "indicators": [IndicatorCreate, ...]}``,
``DIR/observations.json`` ``{"about": [...], "observations": {instrument id: [ObservationIn, ...]}}`` and each
``DIR/rubrics/*.json`` ``{"rubric": RubricCreate, "publish": PublishRequest}``. ``about`` lines are notes for
readers and are not loaded.
"""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from app.errors import format_location
from app.models import Indicator
from app.models.indicator import IndicatorCreate
from app.models.instrument import InstrumentCreate
from app.models.observation import ObservationIn
from app.models.rubric import PublishRequest, RubricCreate
from app.services.values import ValueMismatch, to_stored

Model = TypeVar("Model", bound=BaseModel)

DEFAULT_PATH = Path(__file__).parent / "data"
"""The seed data shipped with the service."""


class SeedError(Exception):
    """The seed files are unreadable or invalid; ``problems`` names each one as ``file: path: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {problem}" for problem in problems[:50])
        more = f"\n  (and {len(problems) - 50} more)" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the seed files:\n{shown}{more}")


@dataclass(frozen=True)
class RubricSeed:
    """A rubric with its first draft, and how to publish it."""

    rubric: RubricCreate
    publish: PublishRequest


@dataclass(frozen=True)
class SeedData:
    """Every seed body, validated; observations keyed by instrument id, rubrics in file-name order."""

    instruments: list[InstrumentCreate]
    indicators: list[IndicatorCreate]
    observations: dict[str, list[ObservationIn]]
    rubrics: list[RubricSeed]
    countries: dict[str, list[ObservationIn]] = field(default_factory=dict)
    """Facts about countries, by country code."""

    def observation_count(self) -> int:
        """How many observations the seed holds, of instruments, their parties and countries."""
        groups = [*self.observations.values(), *self.countries.values()]
        return sum(len(rows) for rows in groups)


class _Reader:
    """Reads files and validates bodies, gathering every problem instead of stopping at the first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[str] = []

    def document(self, path: Path) -> Any:
        try:
            return orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as error:
            self.problems.append(f"{self._name(path)}: cannot be read as JSON ({error})")
            return None

    def member(self, path: Path, document: Any, name: str, kind: type) -> Any:
        if not isinstance(document, dict) or not isinstance(document.get(name), kind):
            self.problems.append(f"{self._name(path)}: needs a top-level {name!r} {kind.__name__}")
            return kind()
        return document[name]

    def body(self, model: type[Model], raw: Any, path: Path, where: str) -> Model | None:
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            for problem in error.errors():
                location = format_location([where, *problem["loc"]])
                self.problems.append(f"{self._name(path)}: {location}: {problem['msg']}")
            return None

    def _name(self, path: Path) -> str:
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)


def read_seeds(root: Path) -> SeedData:
    """Read and validate the seed files under ``root``; raise SeedError naming every problem found."""
    reader = _Reader(root)
    instruments = _bodies(reader, root / "instruments.json", "instruments", InstrumentCreate)
    indicators = _bodies(reader, root / "indicators.json", "indicators", IndicatorCreate)
    path = root / "observations.json"
    document = reader.document(path)
    observations = _observations(reader, path, document, "observations")
    countries = _observations(reader, path, document, "countries")
    rubrics = [_rubric(reader, path) for path in sorted((root / "rubrics").glob("*.json"))]
    data = SeedData(
        instruments=[item for item in instruments if item is not None],
        indicators=[item for item in indicators if item is not None],
        observations={key: [row for row in rows if row is not None] for key, rows in observations.items()},
        rubrics=[item for item in rubrics if item is not None],
        countries={key: [row for row in rows if row is not None] for key, rows in countries.items()},
    )
    if not reader.problems:
        reader.problems += _cross_problems(data)
    if reader.problems:
        raise SeedError(reader.problems)
    return data


def _bodies(reader: _Reader, path: Path, name: str, model: type[Model]) -> list[Model | None]:
    items = reader.member(path, reader.document(path), name, list)
    return [reader.body(model, item, path, f"{name}[{index}]") for index, item in enumerate(items)]


def _observations(reader: _Reader, path: Path, document: Any, section: str) -> dict[str, list[ObservationIn | None]]:
    if section == "countries" and isinstance(document, dict) and section not in document:
        return {}  # a seed may hold no country facts
    groups = reader.member(path, document, section, dict)
    return {
        instrument: [
            reader.body(ObservationIn, row, path, f"{section}.{instrument}[{index}]")
            for index, row in enumerate(rows if isinstance(rows, list) else [rows])
        ]
        for instrument, rows in groups.items()
    }


def _rubric(reader: _Reader, path: Path) -> RubricSeed | None:
    document = reader.document(path)
    rubric = reader.body(RubricCreate, reader.member(path, document, "rubric", dict), path, "rubric")
    publish = reader.body(PublishRequest, reader.member(path, document, "publish", dict), path, "publish")
    return None if rubric is None or publish is None else RubricSeed(rubric=rubric, publish=publish)


def _cross_problems(data: SeedData) -> list[str]:
    """Checks across files: unique keys, known instruments and indicators, values that fit their indicator."""
    problems = [f"instruments.json: the id {key!r} is used twice" for key in _repeated(i.id for i in data.instruments)]
    problems += [f"indicators.json: the key {key!r} is used twice" for key in _repeated(i.key for i in data.indicators)]
    problems += [f"rubrics: the key {key!r} is used twice" for key in _repeated(r.rubric.key for r in data.rubrics)]
    parties = {item.id: {party.code for party in item.parties} for item in data.instruments}
    catalogue = {item.key: Indicator.model_validate(item.model_dump(mode="json")) for item in data.indicators}
    groups = [("observations", name, rows) for name, rows in data.observations.items()]
    groups += [("countries", name, rows) for name, rows in data.countries.items()]
    for section, subject, rows in groups:
        where = f"observations.json: {section}.{subject}"
        if section == "observations" and subject not in parties:
            problems.append(f"{where}: no seed instrument has this id")
        problems += _level_problems(where, rows, catalogue, parties.get(subject) if section == "observations" else None)
        seen: set[tuple[str, str | None, date, date | None]] = set()
        for index, row in enumerate(rows):
            key = (row.indicator, row.party, row.effective_date, row.period_start)
            if key in seen:
                problems.append(f"{where}[{index}]: a second value of {row.indicator} for {row.effective_date}")
            seen.add(key)
            if row.supersedes is not None:
                problems.append(f"{where}[{index}].supersedes: seed rows never name what they supersede")
            indicator = catalogue.get(row.indicator)
            if indicator is None:
                problems.append(f"{where}[{index}].indicator: no seed indicator has the key {row.indicator!r}")
                continue
            try:
                to_stored(indicator, row.value)
            except ValueMismatch as error:
                problems.append(f"{where}[{index}].value: {error}")
    return problems


def _level_problems(
    where: str, rows: list[ObservationIn], catalogue: dict[str, Indicator], parties: set[str] | None
) -> list[str]:
    """Rows whose subject does not fit their indicator's level (``parties`` None: the rows are a country's)."""
    problems = []
    for index, row in enumerate(rows):
        indicator = catalogue.get(row.indicator)
        if indicator is None:
            continue
        level = indicator.level
        if (level == "country") != (parties is None):
            problems.append(f"{where}[{index}].indicator: {row.indicator} is a {level}-level indicator")
        elif level == "party" and (row.party is None or row.party not in (parties or set())):
            problems.append(f"{where}[{index}].party: {row.indicator} needs a party of the instrument")
        elif level != "party" and row.party is not None:
            problems.append(f"{where}[{index}].party: {row.indicator} takes no party")
    return problems


def _repeated(keys: Any) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for key in keys:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated
