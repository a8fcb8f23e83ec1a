"""Rubric use cases: create, edit the draft, publish numbered versions, choose the default.

Edits and publications name the draft revision they were made against; a stale revision is refused with
412, so two editors never overwrite each other. Publishing advances the revision with a conditional
UPDATE, so of several concurrent publications of the same draft exactly one succeeds.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.errors import Conflict, FieldProblem, InvalidInput, NotFound, PreconditionFailed
from app.models import DefaultRubric, Rubric, RubricVersion
from app.models.common import utc_now
from app.models.rubric import DraftUpdate, PublishRequest, RubricCreate
from app.models.types import stored_id
from app.services.audit import commit_change, flush_change, record_event
from app.services.catalogue import engine_catalogue
from app.services.idempotency import Idempotency, claim
from scoring.catalogue import IndicatorSpec
from scoring.rubric import Rubric as RubricDefinition
from scoring.tree import indicators_read, walk
from scoring.validation import validate_rubric


def checked_definition(
    raw: Mapping[str, Any], catalogue: Mapping[str, IndicatorSpec], *, key: str | None, path: str = "body.definition"
) -> dict[str, Any]:
    """The definition as stored, once the engine's validation finds nothing wrong with it.

    ``key``, when given, is the rubric's key, which the definition must carry too.
    """
    problems = size_problems(raw, path)
    if problems:
        raise InvalidInput(problems)
    problems = [
        FieldProblem(f"{path}.{problem.path}" if problem.path else path, problem.message, "rubric")
        for problem in validate_rubric(raw, catalogue)
    ]
    if not problems and key is not None and raw.get("key") != key:
        problems.append(FieldProblem(f"{path}.key", f"must be the rubric's key, {key!r}", "rubric"))
    if problems:
        raise InvalidInput(problems)
    return RubricDefinition.model_validate(raw).model_dump(mode="json")


MAX_NODES = 400
"""Most dimensions, sub-dimensions and criteria one rubric may hold."""
MAX_DEPTH = 6
"""Deepest nesting below the index: dimensions, sub-dimensions, criteria."""
MAX_TEXT = 5000
"""Longest text (label, description) a rubric may carry."""


def size_problems(raw: Any, path: str) -> list[FieldProblem]:
    """What makes a definition too big to accept: too many nodes, too deep a tree, texts too long or with NUL."""
    problems = [
        FieldProblem(where, f"text must be at most {MAX_TEXT} characters, without NUL", "text")
        for where, text in _texts(raw, path)
        if len(text) > MAX_TEXT or "\x00" in text
    ][:20]
    if not isinstance(raw, Mapping):
        return problems
    places = list(walk(raw))
    too_deep = sorted({place.path.rsplit("[", 1)[0] for place in places if place.depth == MAX_DEPTH + 1})
    problems += [FieldProblem(f"{path}.{where}", f"deeper than {MAX_DEPTH} levels", "depth") for where in too_deep]
    if len(places) - 1 > MAX_NODES:
        problems.append(FieldProblem(path, f"at most {MAX_NODES} nodes and criteria, not {len(places) - 1}", "size"))
    return problems


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every text of a JSON value, with its path."""
    pending: list[tuple[Any, str]] = [(value, where)]
    while pending:
        value, where = pending.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, list):
            pending += [(item, f"{where}[{index}]") for index, item in enumerate(value)]
        elif isinstance(value, dict):
            pending += [(item, f"{where}.{name}") for name, item in value.items()]


def get_rubric(*, session: Session, key: str) -> Rubric:
    """The rubric with this key, or NotFound."""
    rubric = session.exec(select(Rubric).where(Rubric.key == key)).first()
    if rubric is None:
        raise NotFound(f"No rubric has the key {key!r}.")
    return rubric


def create_rubric(*, session: Session, data: RubricCreate, actor: str) -> Rubric:
    """Create a rubric with its first draft (not yet published)."""
    if session.exec(select(Rubric.id).where(Rubric.key == data.key)).first() is not None:
        raise Conflict(f"A rubric with the key {data.key!r} exists already.")
    definition = checked_definition(data.definition, engine_catalogue(session), key=data.key)
    rubric = Rubric(key=data.key, draft=definition)
    session.add(rubric)
    record_event(session, actor=actor, action="create", entity="rubric", entity_key=data.key, details={})
    commit_change(session, clash=f"The rubric {data.key!r} was created concurrently.", data=False)
    return rubric


def update_draft(*, session: Session, rubric: Rubric, data: DraftUpdate, revision: int, actor: str) -> Rubric:
    """Replace the draft, if ``revision`` is still the current draft revision."""
    definition = checked_definition(data.definition, engine_catalogue(session), key=rubric.key)
    _advance_revision(session, rubric, revision, {"draft": definition, "updated_at": utc_now()})
    record_event(
        session,
        actor=actor,
        action="edit_draft",
        entity="rubric",
        entity_key=rubric.key,
        details={"revision": revision},
    )
    commit_change(session, clash=f"The draft of {rubric.key!r} changed concurrently; read it again.", data=False)
    session.refresh(rubric)
    return rubric


def publish(
    *,
    session: Session,
    rubric: Rubric,
    data: PublishRequest,
    revision: int,
    actor: str,
    idempotency: Idempotency | None = None,
) -> RubricVersion:
    """Freeze the draft as the next version; the draft stays, for the next round of edits."""
    claimed = claim(session, idempotency)
    definition = checked_definition(rubric.draft, engine_catalogue(session), key=rubric.key, path="draft")
    _advance_revision(session, rubric, revision, {"updated_at": utc_now()})
    latest = session.exec(select(func.max(RubricVersion.number)).where(RubricVersion.rubric_id == rubric.id)).one()
    version = RubricVersion(
        rubric_id=stored_id(rubric.id),
        number=(latest or 0) + 1,
        definition=definition,
        author=data.author or actor,
        note=data.note,
    )
    session.add(version)
    flush_change(session, clash=f"{rubric.key!r} was published concurrently; read it again.")
    if claimed is not None:
        claimed.result = {"version": version.number}
    if data.make_default:
        _make_default(session, version)
    details = {"version": version.number, "note": data.note, "default": data.make_default}
    record_event(session, actor=actor, action="publish", entity="rubric", entity_key=rubric.key, details=details)
    commit_change(session, clash=f"{rubric.key!r} was published concurrently; read it again.", data=False)
    return version


def set_default(*, session: Session, rubric: Rubric, number: int, actor: str) -> RubricVersion:
    """Make a published version the one scores use when a request names no rubric."""
    version = get_version(session=session, rubric=rubric, number=number)
    _make_default(session, version)
    details = {"version": number}
    record_event(session, actor=actor, action="set_default", entity="rubric", entity_key=rubric.key, details=details)
    commit_change(session, clash="The default rubric changed concurrently; retry.", data=False)
    return version


def get_version(*, session: Session, rubric: Rubric, number: int) -> RubricVersion:
    """A published version of the rubric, or NotFound."""
    statement = select(RubricVersion).where(RubricVersion.rubric_id == rubric.id, RubricVersion.number == number)
    version = session.exec(statement).first()
    if version is None:
        raise NotFound(f"The rubric {rubric.key!r} has no published version {number}.")
    return version


def versions_of(*, session: Session, rubric: Rubric) -> Sequence[RubricVersion]:
    """Every published version, oldest first."""
    statement = select(RubricVersion).where(RubricVersion.rubric_id == rubric.id)
    return session.exec(statement.order_by(col(RubricVersion.number))).all()


def default_version_id(session: Session) -> int | None:
    """The id of the default version, if one was chosen."""
    return session.exec(select(DefaultRubric.rubric_version_id).where(DefaultRubric.id == 1)).first()


def list_rubrics(*, session: Session) -> Sequence[Rubric]:
    """Every rubric, by key."""
    return session.exec(select(Rubric).order_by(col(Rubric.key))).all()


def _advance_revision(session: Session, rubric: Rubric, revision: int, changes: dict[str, Any]) -> None:
    """Apply ``changes`` and move the draft revision on, only if it is still ``revision``."""
    statement = (
        update(Rubric)
        .where(col(Rubric.id) == rubric.id, col(Rubric.draft_revision) == revision)
        .values(draft_revision=col(Rubric.draft_revision) + 1, **changes)
    )
    if session.execute(statement).rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise PreconditionFailed(
            f"The draft of {rubric.key!r} is no longer at revision {revision}; read it again and reapply your change."
        )


def _make_default(session: Session, version: RubricVersion) -> None:
    current = session.get(DefaultRubric, 1)
    if current is None:
        session.add(DefaultRubric(id=1, rubric_version_id=stored_id(version.id)))
    else:
        current.rubric_version_id = stored_id(version.id)


def rubrics_using(session: Session, indicator: str) -> list[str]:
    """The drafts (``key``) and published versions (``key@n``) with a criterion reading ``indicator``."""
    drafts = [(rubric.key, None, rubric.draft) for rubric in session.exec(select(Rubric)).all()]
    statement = select(Rubric.key, RubricVersion.number, RubricVersion.definition).join(
        Rubric, col(Rubric.id) == RubricVersion.rubric_id
    )
    versions = [(key, number, definition) for key, number, definition in session.exec(statement).all()]
    return sorted(
        key if number is None else f"{key}@{number}"
        for key, number, definition in drafts + versions
        if indicator in indicators_read(definition)
    )
