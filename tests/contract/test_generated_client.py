"""The Python client that openapi-python-client generates from our document: short names, typed results.

Once per test run the client is generated from ``app.openapi()`` and mypy (strict) checks a module written
here that calls each operation's ``sync`` and pins its result with ``typing.assert_type``. An operation whose
response the document leaves untyped returns ``Any`` in the client, which ``assert_type`` refuses.
"""

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PACKAGE = "coopscore_client"

GENERATOR_CONFIG = f"""\
project_name_override: coopscore-client
package_name_override: {PACKAGE}
post_hooks: []
"""
"""No post hooks: the generated code is read as it is, and nothing runs ruff over it in the test."""

SELF_NAMED_FIELDS = ["bands", "reference"]
"""Models with a field named like the model (``Bands.bands``, ``Reference.reference``).

openapi-python-client reuses that name for the new instance in ``from_dict``, which mypy refuses though the
code runs (openapi-python-client issue 1117); those two error codes are silenced in these modules only.
"""


@dataclass(frozen=True)
class Call:
    """One operation of the generated client: how to call its ``sync`` and what it must return.

    ``arguments`` are the required ones besides ``client``, as source text; ``ANY`` stands for a value whose
    type does not matter here (a request body). ``returns`` names the generated models.
    """

    tag: str
    operation: str
    arguments: str
    returns: str

    def check(self) -> str:
        """The line that mypy checks."""
        arguments = f"client=client, {self.arguments}" if self.arguments else "client=client"
        return f"assert_type({self.operation}.sync({arguments}), {self.returns})"


OPERATIONS = [
    Call("health", "read_health", "", "Health | None"),
    Call("health", "read_readiness", "", "Health | None"),
    Call("instruments", "list_instruments", "", "InstrumentPage | Problem | None"),
    Call("instruments", "create_instrument", "body=ANY", "InstrumentPublic | Problem | None"),
    Call("instruments", "read_instrument", "id='x'", "InstrumentPublic | Problem | None"),
    Call("instruments", "update_instrument", "id='x', body=ANY", "InstrumentPublic | Problem | None"),
    Call("observations", "read_observations", "id='x'", "ObservationList | Problem | None"),
    Call(
        "observations",
        "record_observations",
        "id='x', body=ANY",
        "ObservationPublic | list[ObservationPublic] | Problem | None",
    ),
    Call("observations", "read_country_observations", "code='UZB'", "CountryObservationList | Problem | None"),
    Call(
        "observations",
        "record_country_observations",
        "code='UZB', body=ANY",
        "ObservationPublic | list[ObservationPublic] | Problem | None",
    ),
    Call("indicators", "list_indicators", "", "IndicatorPage | Problem | None"),
    Call("indicators", "create_indicator", "body=ANY", "IndicatorPublic | Problem | None"),
    Call("indicators", "read_indicator", "key='LD01'", "IndicatorPublic | Problem | None"),
    Call("indicators", "update_indicator", "key='LD01', body=ANY", "IndicatorPublic | Problem | None"),
    Call("rubrics", "list_rubrics", "", "list[RubricPublic] | Problem | None"),
    Call("rubrics", "create_rubric", "body=ANY", "RubricPublic | Problem | None"),
    Call("rubrics", "read_rubric", "key='balanced'", "RubricPublic | Problem | None"),
    Call("rubrics", "update_rubric_draft", "key='balanced', body=ANY", "RubricPublic | Problem | None"),
    Call("rubrics", "publish_rubric", "key='balanced', body=ANY", "RubricVersionPublic | Problem | None"),
    Call("rubrics", "set_default_rubric", "key='balanced', body=ANY", "RubricVersionPublic | Problem | None"),
    Call("rubrics", "list_rubric_versions", "key='balanced'", "list[RubricVersionSummary] | Problem | None"),
    Call("rubrics", "read_rubric_version", "key='balanced', number=1", "RubricVersionPublic | Problem | None"),
    Call("rubrics", "diff_rubric_versions", "key='balanced', from_='1', to='draft'", "RubricDiff | Problem | None"),
    Call("administration", "list_api_keys", "", "list[KeyPublic] | Problem | None"),
    Call("administration", "create_api_key", "body=ANY", "KeyCreated | Problem | None"),
    Call("administration", "read_audit_log", "", "AuditEventPage | Problem | None"),
]
"""Every operation with a response model but the score operations."""

SCORE_OPERATIONS: list[Call] = [
    Call("scores", "read_ranking", "", "Ranking | Problem | None"),
    Call("scores", "read_instrument_score", "id='x'", "ScoreExplanation | Problem | None"),
    Call("scores", "read_score_history", "id='x'", "ScoreHistory | Problem | None"),
    Call("scores", "compare_instruments", "ids='a,b'", "Comparison | Problem | None"),
    Call("scores", "summarise_scores", "group_by=ANY", "ScoreSummary | Problem | None"),
    Call("scores", "preview_scores", "body=ANY", "Preview | Problem | None"),
    Call("scores", "read_sensitivity", "key='balanced'", "Sensitivity | Problem | None"),
]
"""The score operations, whose bodies are the models of :mod:`app.models.score_results`."""

CALLS = OPERATIONS + SCORE_OPERATIONS

CANARY = '''\
from typing import Any, assert_type

from coopscore_client.models import Problem


def sync_without_model() -> Any | Problem | None:
    """What the generator gives an operation whose 200 response has no schema."""
    return None


assert_type(sync_without_model(), Problem | None)
'''
"""A module mypy must refuse, so a pass of the checks above cannot come from an ``Any`` slipping through."""

CANARY_ERROR = 'Expression is of type "Any | Problem | None", not "Problem | None"  [assert-type]'


@dataclass(frozen=True)
class MypyError:
    """One error mypy reported."""

    path: str
    line: int
    message: str


@dataclass(frozen=True)
class GeneratedClient:
    """The generated package, the line of each call in the checked module, and what mypy said of them."""

    package: Path
    lines: dict[str, int]
    errors: list[MypyError]

    def errors_in(self, path: str) -> list[MypyError]:
        return [error for error in self.errors if error.path == path]


def checked_module() -> tuple[str, dict[str, int]]:
    """Source of the module that pins each call's result, and the line of each call in it."""
    models = sorted({name for call in CALLS for name in re.findall(r"\b[A-Z]\w*", call.returns)} - {"None"})
    head = [
        '"""Written by tests/contract/test_generated_client.py: what each operation of the client returns."""',
        "",
        "from typing import Any, assert_type",
        "",
        f"from {PACKAGE} import AuthenticatedClient",
        *(f"from {PACKAGE}.api.{call.tag} import {call.operation}" for call in CALLS),
        f"from {PACKAGE}.models import {', '.join(models)}",
        "",
        "ANY: Any = None",
        "",
        "",
        "def check(client: AuthenticatedClient) -> None:",
    ]
    lines = {call.operation: len(head) + number for number, call in enumerate(CALLS, start=1)}
    body = [f"    {call.check()}" for call in CALLS] or ["    pass"]
    return "\n".join([*head, *body, ""]), lines


MYPY_ERROR = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+): error: (?P<message>.*)$")


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def generate(directory: Path, document: dict[str, Any]) -> None:
    """Write the document and generate the package beside it, from the file alone (no network)."""
    (directory / "openapi.json").write_text(json.dumps(document))
    (directory / "generator.yaml").write_text(GENERATOR_CONFIG)
    options = ["--path", "openapi.json", "--config", "generator.yaml", "--meta", "none", "--output-path", PACKAGE]
    generator = run(
        [sys.executable, "-m", "openapi_python_client", "generate", *options, "--fail-on-warning"], directory
    )
    if generator.returncode != 0:
        pytest.fail(f"openapi-python-client failed:\n{generator.stdout}{generator.stderr}")


def type_check(directory: Path, source: str) -> list[MypyError]:
    """Run mypy (strict, its cache in ``directory``) on the checked module and the canary."""
    (directory / "check_client.py").write_text(source)
    (directory / "canary.py").write_text(CANARY)
    silenced = ",".join(f"{PACKAGE}.models.{module}" for module in SELF_NAMED_FIELDS)
    (directory / "mypy.ini").write_text(
        f"[mypy]\nstrict = True\ncache_dir = {directory / '.mypy_cache'}\n\n"
        f"[mypy-{silenced}]\ndisable_error_code = assignment, return-value\n"
    )
    checker = run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "check_client.py", "canary.py"], directory
    )
    matches = [MYPY_ERROR.match(line) for line in checker.stdout.splitlines()]
    errors = [MypyError(match["path"], int(match["line"]), match["message"]) for match in matches if match]
    if checker.returncode not in (0, 1) or not errors:
        pytest.fail(f"mypy did not check the client:\n{checker.stdout}{checker.stderr}")
    return errors


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, document: dict[str, Any]) -> GeneratedClient:
    """Generate the client once and type-check the calls once, in a fresh directory."""
    directory = tmp_path_factory.mktemp("client")
    generate(directory, document)
    source, lines = checked_module()
    return GeneratedClient(package=directory / PACKAGE, lines=lines, errors=type_check(directory, source))


@pytest.mark.parametrize("call", [pytest.param(call, id=call.operation) for call in CALLS])
def test_each_operation_returns_its_model(generated: GeneratedClient, call: Call) -> None:
    line = generated.lines[call.operation]

    assert [error.message for error in generated.errors_in("check_client.py") if error.line == line] == []


def test_mypy_refuses_any_where_a_model_is_expected(generated: GeneratedClient) -> None:
    assert [error.message for error in generated.errors_in("canary.py")] == [CANARY_ERROR]


def test_the_client_and_its_imports_have_no_other_type_error(generated: GeneratedClient) -> None:
    call_lines = set(generated.lines.values())
    others = [
        f"{error.path}:{error.line}: {error.message}"
        for error in generated.errors
        if error.path != "canary.py" and not (error.path == "check_client.py" and error.line in call_lines)
    ]

    assert others == []


def test_every_operation_with_a_response_model_is_checked(document: dict[str, Any]) -> None:
    typed = {
        operation["operationId"]
        for operations in document["paths"].values()
        for operation in operations.values()
        for status, response in operation["responses"].items()
        if status in {"200", "201"} and response.get("content", {}).get("application/json", {}).get("schema")
    }
    checked = {call.operation for call in CALLS}

    assert {"not checked": sorted(typed - checked), "checked without a model": sorted(checked - typed)} == {
        "not checked": [],
        "checked without a model": [],
    }


def test_each_operation_is_a_module_named_by_its_operation_id(
    generated: GeneratedClient, document: dict[str, Any]
) -> None:
    expected = {
        f"{operation['tags'][0]}/{operation['operationId']}.py"
        for operations in document["paths"].values()
        for operation in operations.values()
    }
    api = generated.package / "api"

    assert {path.relative_to(api).as_posix() for path in api.glob("*/*.py") if path.name != "__init__.py"} == expected
    assert (api / "scores" / "read_ranking.py").is_file()
