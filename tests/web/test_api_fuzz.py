"""Schemathesis over the whole REST API (issue 12): no server error, no answer outside
``/api/openapi.json``.

The app runs in process (WSGI) on a real database of each backend (SQLite, and
PostgreSQL, whose INTEGER range is where most of the fuzzer's first finds were), holding
the small world of the API tests, and is called as an admin with an API token. Every
operation gets ``EXAMPLES`` generated requests, valid by the document and then invalid,
from a fixed seed (``derandomize``), in one database for the whole run: what one
operation stores, the next reads (as a blank tag once broke every what-if after it).
Each failure is kept, first of its kind per operation, and all are listed at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode

from envsched.models import Role
from tests.web.api_world import World
from web.background import join_all

EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 12}
CHECKS = [
    getattr(schemathesis.checks, name)
    for name in (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    )
]


def test_the_api_answers_generated_requests_as_its_document_says(
    app: Flask, world: World, token_headers: Callable[..., dict[str, str]]
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = token_headers(Role.ADMIN)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        for mode, examples in EXAMPLES.items():
            _fuzz(operation, mode, examples, headers, failures)
    join_all(app)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures.values())


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    headers: dict[str, str],
    failures: dict[str, str],
) -> None:
    strategy = operation.as_strategy(generation_mode=mode)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        try:  # the test app propagates an exception a production app answers 500 with
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)
        except (Exception, FailureGroup) as failure:  # each is recorded, see below
            _record(failures, operation.label, failure, case)

    run()


def _record(failures: dict[str, str], label: str, failure: BaseException, case: Any) -> None:
    """The first failure of each kind per operation, with a command that repeats it."""
    found = failure.exceptions if isinstance(failure, FailureGroup) else (failure,)
    for each in found:
        lines = str(each).strip().splitlines()
        key = f"{label}: {type(each).__name__}: {lines[0][:120] if lines else ''}"
        detail = " ".join(line.strip() for line in lines[1:4])
        failures.setdefault(key, f"{key} {detail}\n    {case.as_curl_command()}")
