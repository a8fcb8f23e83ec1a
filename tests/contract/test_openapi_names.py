"""Names in the OpenAPI document: each operation after its route function, each schema in plain CamelCase.

Generated clients name their functions and classes after these, so the names are part of the API.
"""

import re
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
CAMEL_CASE = re.compile(r"[A-Z][A-Za-z0-9]*")


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, also those of included routers (FastAPI 0.16x keeps each router whole, behind a wrapper)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (router := getattr(route, "original_router", None)) is not None:
            yield from api_routes(router.routes)


def operation_ids(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (method, path): operation["operationId"]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def test_every_operation_id_is_unique(document: dict[str, Any]) -> None:
    ids = list(operation_ids(document).values())

    assert sorted({name for name in ids if ids.count(name) > 1}) == []


def test_every_operation_id_is_a_snake_case_identifier(document: dict[str, Any]) -> None:
    assert [name for name in operation_ids(document).values() if not SNAKE_CASE.fullmatch(name)] == []


def test_every_operation_id_is_the_name_of_its_route_function(application: FastAPI, document: dict[str, Any]) -> None:
    functions = {
        (method.lower(), route.path): route.endpoint.__name__
        for route in api_routes(application.routes)
        if route.include_in_schema
        for method in route.methods
    }

    assert operation_ids(document) == functions


def test_the_ranking_is_read_by_read_ranking(document: dict[str, Any]) -> None:
    assert document["paths"]["/v1/scores"]["get"]["operationId"] == "read_ranking"


def test_every_schema_name_is_camel_case(document: dict[str, Any]) -> None:
    names = document["components"]["schemas"]

    assert [name for name in names if not CAMEL_CASE.fullmatch(name)] == []
