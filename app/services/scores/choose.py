"""Which rubric a score request uses: ``key@n``, ``key`` (its latest published version) or the default."""

import hashlib
from dataclasses import dataclass

import orjson
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.errors import Conflict, FieldProblem, InvalidInput, NotFound
from app.models import DefaultRubric, Rubric, RubricVersion
from app.models.types import stored_id
from app.services.scores.caches import ScoreCaches
from scoring.rubric import Rubric as RubricDefinition
from scoring.validation import validate_rubric


@dataclass(frozen=True)
class ChosenRubric:
    """A rubric definition ready for the engine: a published version, or a definition being previewed."""

    key: str
    version: int | None
    definition: RubricDefinition

    @property
    def tag(self) -> str:
        """What its runs are cached by: ``key@version``, or ``draft-<digest>`` for a previewed definition."""
        return f"{self.key}@{self.version}" if self.version is not None else digest(self.definition)

    @classmethod
    def previewed(cls, definition: RubricDefinition) -> "ChosenRubric":
        """A definition that is not published: changed weights or a whole draft."""
        return cls(definition.key, None, definition)


def digest(definition: RubricDefinition) -> str:
    """A short stable name for a definition without a version number: equal definitions, equal names."""
    content = orjson.dumps(definition.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return f"draft-{hashlib.sha256(content).hexdigest()[:16]}"


_VERSION = select(col(RubricVersion.id), col(Rubric.key), col(RubricVersion.number)).join(
    Rubric, col(Rubric.id) == RubricVersion.rubric_id
)


def choose_rubric(
    session: Session, caches: ScoreCaches, reference: str | None, *, path: str = "query.rubric"
) -> ChosenRubric:
    """The version a ``rubric=`` reference names: ``key@n``, ``key`` (latest published) or nothing (default)."""
    if reference is None:
        statement = _VERSION.join(DefaultRubric, col(DefaultRubric.rubric_version_id) == RubricVersion.id)
        found = session.exec(statement).first()
        if found is None:
            raise InvalidInput([FieldProblem(path, "no default rubric is set; name one (key or key@version)")])
        return _chosen(session, caches, *found)
    key, _, number = reference.partition("@")
    statement = _VERSION.where(col(Rubric.key) == key)
    if number:
        statement = statement.where(col(RubricVersion.number) == int(number))
    found = session.exec(statement.order_by(col(RubricVersion.number).desc())).first()
    if found is None:
        if session.exec(select(Rubric.id).where(col(Rubric.key) == key)).first() is None:
            raise NotFound(f"No rubric has the key {key!r}.")
        which = f"version {number}" if number else "published version"
        raise NotFound(f"The rubric {key!r} has no {which}.")
    return _chosen(session, caches, *found)


def _chosen(session: Session, caches: ScoreCaches, version_id: int | None, key: str, number: int) -> ChosenRubric:
    def parse() -> RubricDefinition:
        stored = session.exec(select(RubricVersion.definition).where(col(RubricVersion.id) == version_id)).one()
        try:
            return RubricDefinition.model_validate(stored)
        except ValidationError as error:
            # Published versions never change, but the rules of the schema may have tightened since.
            problems = [str(problem) for problem in validate_rubric(stored)] or [str(error)]
            raise Conflict(
                f"The rubric {key}@{number} was published under rules the service now refuses ({problems[0]}); "
                "publish a corrected version."
            ) from None

    return ChosenRubric(key, number, caches.definitions.get(stored_id(version_id), parse))
