"""Routes of rubrics and their versions: ``/v1/rubrics``.

Reading a rubric returns an ``ETag`` naming its draft revision; editing the draft and publishing require
``If-Match`` with that tag (428 without it, 412 when someone else changed the draft in between).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField

from app.api.access import READ, EditorDep
from app.api.deps import IdempotencyKeyDep, SessionDep
from app.api.http.problems import problem_responses
from app.errors import PreconditionFailed, PreconditionRequired
from app.models import Rubric, RubricVersion
from app.models.rubric import (
    DefaultRequest,
    DraftUpdate,
    PublishRequest,
    RubricCreate,
    RubricPublic,
    RubricReference,
    RubricVersionPublic,
    RubricVersionSummary,
)
from app.models.types import Slug
from app.services import rubrics as service
from app.services.idempotency import Idempotency, idempotently
from scoring.diff import Change, rubric_diff

router = APIRouter(prefix="/v1/rubrics", tags=["rubrics"])


def load_rubric(session: SessionDep, key: Annotated[Slug, Path()]) -> Rubric:
    """Load the rubric named in the path, or answer 404."""
    return service.get_rubric(session=session, key=key)


RubricDep = Annotated[Rubric, Depends(load_rubric)]


def draft_tag(rubric: Rubric) -> str:
    """The ETag of a rubric's draft: it changes with every edit and publication."""
    return f'"draft-{rubric.draft_revision}"'


def if_match_header(if_match: Annotated[str | None, Header(max_length=200)] = None) -> str | None:
    """The ``If-Match`` header, read as it is; checked by :func:`draft_revision` once the body is valid."""
    return if_match


def draft_revision(if_match: str | None) -> int:
    """The draft revision an ``If-Match`` header names; 428 without one, 412 for a tag that is not ours."""
    if if_match is None:
        raise PreconditionRequired("Send If-Match with the ETag of the draft you read (GET /v1/rubrics/{key}).")
    tag = if_match.strip().removeprefix("W/").strip('"')
    number = tag.removeprefix("draft-")
    if not tag.startswith("draft-") or not number.isdigit() or len(number) > 9:
        raise PreconditionFailed(f"If-Match {if_match!r} is not the ETag of a draft of this rubric.")
    return int(number)


IfMatchDep = Annotated[str | None, Depends(if_match_header)]
VersionName = Annotated[str, StringConstraints(pattern=r"^(draft|[1-9][0-9]{0,6})$")]


def _public(session: SessionDep, rubric: Rubric) -> RubricPublic:
    default_id = service.default_version_id(session)
    versions = [_summary(version, default_id) for version in service.versions_of(session=session, rubric=rubric)]
    return RubricPublic(
        key=rubric.key,
        label=rubric.draft["label"],
        description=rubric.draft["description"],
        draft=rubric.draft,
        draft_revision=rubric.draft_revision,
        versions=versions,
        latest_version=versions[-1].version if versions else None,
        created_at=rubric.created_at,
        updated_at=rubric.updated_at,
    )


def _summary(version: RubricVersion, default_id: int | None) -> RubricVersionSummary:
    return RubricVersionSummary(
        version=version.number,
        author=version.author,
        note=version.note,
        published_at=version.published_at,
        is_default=version.id == default_id,
    )


def _version(rubric: Rubric, version: RubricVersion, default_id: int | None) -> RubricVersionPublic:
    return RubricVersionPublic(
        rubric=RubricReference(key=rubric.key, version=version.number, label=version.definition["label"]),
        definition=version.definition,
        author=version.author,
        note=version.note,
        published_at=version.published_at,
        is_default=version.id == default_id,
    )


@router.get("", dependencies=[READ], response_model=list[RubricPublic], responses=problem_responses(422))
def list_rubrics(session: SessionDep) -> list[RubricPublic]:
    """List every rubric with its draft and published versions."""
    return [_public(session, rubric) for rubric in service.list_rubrics(session=session)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=RubricPublic, responses=problem_responses(409, 422)
)
def create_rubric(session: SessionDep, caller: EditorDep, body: RubricCreate, response: Response) -> RubricPublic:
    """Create a rubric with its first draft; publish it to use it for scores."""
    rubric = service.create_rubric(session=session, data=body, actor=caller.name)
    response.headers["Location"] = f"/v1/rubrics/{rubric.key}"
    response.headers["ETag"] = draft_tag(rubric)
    return _public(session, rubric)


@router.get("/{key}", dependencies=[READ], response_model=RubricPublic, responses=problem_responses(404, 422))
def read_rubric(session: SessionDep, rubric: RubricDep, response: Response) -> RubricPublic:
    """Read a rubric, its draft (with its ETag) and its published versions."""
    response.headers["ETag"] = draft_tag(rubric)
    return _public(session, rubric)


@router.put("/{key}/draft", response_model=RubricPublic, responses=problem_responses(404, 412, 422, 428))
def update_rubric_draft(
    session: SessionDep,
    caller: EditorDep,
    rubric: RubricDep,
    body: DraftUpdate,
    if_match: IfMatchDep,
    response: Response,
) -> RubricPublic:
    """Replace the draft; needs If-Match with the draft's ETag."""
    updated = service.update_draft(
        session=session, rubric=rubric, data=body, revision=draft_revision(if_match), actor=caller.name
    )
    response.headers["ETag"] = draft_tag(updated)
    return _public(session, updated)


@router.post(
    "/{key}/publish",
    status_code=status.HTTP_201_CREATED,
    response_model=RubricVersionPublic,
    responses=problem_responses(404, 409, 412, 422, 428),
)
def publish_rubric(
    session: SessionDep,
    caller: EditorDep,
    rubric: RubricDep,
    body: PublishRequest,
    if_match: IfMatchDep,
    response: Response,
    idempotency_key: IdempotencyKeyDep = None,
) -> RubricVersionPublic:
    """Publish the draft as the next version, frozen from then on; needs If-Match with the draft's ETag."""
    idempotency = None
    if idempotency_key is not None:
        operation = f"POST /v1/rubrics/{rubric.key}/publish"
        request = body.model_dump(mode="json")
        idempotency = Idempotency.of(owner=caller.name, key=idempotency_key, operation=operation, body=request)
    version = idempotently(
        session,
        idempotency,
        lambda: service.publish(
            session=session,
            rubric=rubric,
            data=body,
            revision=draft_revision(if_match),
            actor=caller.name,
            idempotency=idempotency,
        ),
        lambda earlier: service.get_version(session=session, rubric=rubric, number=earlier["version"]),
    )
    session.refresh(rubric)
    response.headers["Location"] = f"/v1/rubrics/{rubric.key}/versions/{version.number}"
    response.headers["ETag"] = draft_tag(rubric)
    return _version(rubric, version, service.default_version_id(session))


@router.put("/{key}/default", response_model=RubricVersionPublic, responses=problem_responses(404, 422))
def set_default_rubric(
    session: SessionDep, caller: EditorDep, rubric: RubricDep, body: DefaultRequest
) -> RubricVersionPublic:
    """Make a published version the default rubric of scores."""
    version = service.set_default(session=session, rubric=rubric, number=body.version, actor=caller.name)
    return _version(rubric, version, version.id)


@router.get(
    "/{key}/versions",
    dependencies=[READ],
    response_model=list[RubricVersionSummary],
    responses=problem_responses(404, 422),
)
def list_rubric_versions(session: SessionDep, rubric: RubricDep) -> list[RubricVersionSummary]:
    """List the published versions, oldest first."""
    default_id = service.default_version_id(session)
    return [_summary(version, default_id) for version in service.versions_of(session=session, rubric=rubric)]


@router.get(
    "/{key}/versions/{number}",
    dependencies=[READ],
    response_model=RubricVersionPublic,
    responses=problem_responses(404, 422),
)
def read_rubric_version(
    session: SessionDep, rubric: RubricDep, number: Annotated[int, Path(ge=1, le=1_000_000)]
) -> RubricVersionPublic:
    """Read one published version with its whole tree."""
    version = service.get_version(session=session, rubric=rubric, number=number)
    return _version(rubric, version, service.default_version_id(session))


class DiffQuery(BaseModel):
    """The two versions to compare: published numbers, or ``draft`` for the working draft."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    since: VersionName = PydanticField(alias="from", description="The older side: a version number or 'draft'.")
    until: VersionName = PydanticField(alias="to", description="The newer side: a version number or 'draft'.")


class RubricDiff(BaseModel):
    """Every difference between two versions of a rubric."""

    rubric: RubricReference
    since: str = PydanticField(serialization_alias="from")
    until: str = PydanticField(serialization_alias="to")
    changes: list[Change]


def _definition(session: SessionDep, rubric: Rubric, name: str) -> dict[str, Any]:
    if name == "draft":
        return rubric.draft
    return service.get_version(session=session, rubric=rubric, number=int(name)).definition


@router.get(
    "/{key}/diff",
    dependencies=[READ],
    response_model=RubricDiff,
    response_model_by_alias=True,
    responses=problem_responses(404, 422),
)
def diff_rubric_versions(session: SessionDep, rubric: RubricDep, query: Annotated[DiffQuery, Query()]) -> RubricDiff:
    """List every node added, removed, moved or re-weighted, and every rule changed, between two versions."""
    changes = rubric_diff(_definition(session, rubric, query.since), _definition(session, rubric, query.until))
    reference = RubricReference(key=rubric.key, version=None, label=rubric.draft["label"])
    return RubricDiff(rubric=reference, since=query.since, until=query.until, changes=changes)
