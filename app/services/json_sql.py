"""JSON built by the database, on SQLite and PostgreSQL alike.

Read endpoints ask the database for each item already in its API shape, as JSON text, and pass that text
into the response untouched (``orjson.Fragment``): no row objects, no per-field conversion in Python. The
constructs here compile to each dialect's own JSON functions; every value they build must read the same on
both databases, which the API tests check by running on both.
"""

from typing import Any

from sqlalchemy import Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class json_object(FunctionElement[str]):
    """A JSON object from alternating names and values."""

    type = Text()
    inherit_cache = True


class json_objects(FunctionElement[str]):
    """The JSON objects of a group of rows, as one JSON array (``[]`` for none), in the order of the second
    argument (PostgreSQL); SQLite keeps the order of the rows it is given, which an ordered subquery sets."""

    type = Text()
    inherit_cache = True


class json_strings(FunctionElement[str]):
    """The text values of a group of rows, as one JSON array of strings (``[]`` for none), ordered as
    :class:`json_objects` is."""

    type = Text()
    inherit_cache = True


class json_document(FunctionElement[str]):
    """A column holding a JSON document, embedded as JSON rather than as a string."""

    type = Text()
    inherit_cache = True


class json_boolean(FunctionElement[str]):
    """A boolean column as JSON ``true``/``false``/``null`` (SQLite stores booleans as 0 and 1)."""

    type = Text()
    inherit_cache = True


class json_timestamp(FunctionElement[str]):
    """A stored UTC timestamp as ISO 8601 text with microseconds and a ``Z``."""

    type = Text()
    inherit_cache = True


def _arguments(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(json_object, "postgresql")
def _object_postgresql(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_object({_arguments(element, compiler, **kw)})"


@compiles(json_object)
def _object_sqlite(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({_arguments(element, compiler, **kw)})"


@compiles(json_objects, "postgresql")
def _objects_postgresql(element: json_objects, compiler: SQLCompiler, **kw: Any) -> str:
    return _ordered_aggregate(element, compiler, **kw)


@compiles(json_objects)
def _objects_sqlite(element: json_objects, compiler: SQLCompiler, **kw: Any) -> str:
    # Text read back from a subquery has lost its JSON subtype; json() restores it.
    value = compiler.process(next(iter(element.clauses)), **kw)
    return f"json_group_array(json({value}))"


@compiles(json_strings, "postgresql")
def _strings_postgresql(element: json_strings, compiler: SQLCompiler, **kw: Any) -> str:
    return _ordered_aggregate(element, compiler, **kw)


def _ordered_aggregate(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    value, order = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"coalesce(json_agg({value} ORDER BY {order}), '[]'::json)"


@compiles(json_strings)
def _strings_sqlite(element: json_strings, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array({compiler.process(next(iter(element.clauses)), **kw)})"


@compiles(json_document, "postgresql")
def _document_postgresql(element: json_document, compiler: SQLCompiler, **kw: Any) -> str:
    return _arguments(element, compiler, **kw)


@compiles(json_document)
def _document_sqlite(element: json_document, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json({_arguments(element, compiler, **kw)})"


@compiles(json_boolean, "postgresql")
def _boolean_postgresql(element: json_boolean, compiler: SQLCompiler, **kw: Any) -> str:
    return _arguments(element, compiler, **kw)


@compiles(json_boolean)
def _boolean_sqlite(element: json_boolean, compiler: SQLCompiler, **kw: Any) -> str:
    value = _arguments(element, compiler, **kw)
    return f"CASE WHEN {value} IS NULL THEN NULL WHEN {value} THEN json('true') ELSE json('false') END"


@compiles(json_timestamp, "postgresql")
def _timestamp_postgresql(element: json_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    value = _arguments(element, compiler, **kw)
    return f"""to_char({value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


@compiles(json_timestamp)
def _timestamp_sqlite(element: json_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff', in UTC here.
    return f"replace({_arguments(element, compiler, **kw)}, ' ', 'T') || 'Z'"
