"""The OpenAPI 3.1 document: checked in as docs/openapi.json (so it cannot drift), served at
/openapi.json, a JSON Schema for every response; and schemathesis against the live service."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from penalty.service import create_app
from tests.helpers import ROOT

DOCS = ROOT / "docs" / "openapi.json"
REMAKE = (
    '.venv/bin/python -c "import json; from penalty.service import create_app; '
    "open('docs/openapi.json', 'w').write(json.dumps(create_app().openapi(), indent=2, "
    "ensure_ascii=False) + '\\n')\""
)


def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DOCS.read_text(encoding="utf-8"))
    return loaded


def test_docs_openapi_is_the_apps_document() -> None:
    generated = json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n"
    assert DOCS.read_text(encoding="utf-8") == generated, f"remake it: {REMAKE}"


def test_served_document_is_the_checked_in_one(client: httpx.Client) -> None:
    assert client.get("/openapi.json").json() == document()


def test_every_operation_and_response_has_a_schema() -> None:
    spec = document()
    assert spec["openapi"].startswith("3.1")
    paths = spec["paths"]
    assert set(paths) == {"/v1/quote", "/v1/schedule", "/v1/preview", "/v1/formats", "/healthz"}
    for path, methods in paths.items():
        for method, operation in methods.items():
            assert operation["responses"], (path, method)
            for status, response in operation["responses"].items():
                for kind, content in response["content"].items():
                    assert "schema" in content, (path, method, status, kind)
                    if status != "200":
                        assert kind == "application/problem+json"
            if method == "post":
                assert "requestBody" in operation


#: Request shapes: a booking's total may come as a JSON integer too (the engine reads it exactly).
INPUTS = {"Booking", "NightlyRate", "QuoteRequest", "ScheduleRequest", "PreviewRequest"}


def test_money_is_a_decimal_string_in_every_schema() -> None:
    """Every fee, total and next fee answered is a string with a decimal pattern."""
    schemas = document()["components"]["schemas"]
    money = [
        (name, field)
        for name, schema in schemas.items()
        for field, spec in schema.get("properties", {}).items()
        if field in {"fee", "total", "next_fee"} and name not in INPUTS
    ]
    assert len(money) >= 6
    for name, field in money:
        spec = schemas[name]["properties"][field]
        kinds = [spec] if "type" in spec else spec.get("anyOf", [])
        assert any(k.get("type") == "string" and "pattern" in k for k in kinds), (name, field)
        assert all(k.get("type") in {"string", "null"} for k in kinds), (name, field)


schema = schemathesis.openapi.from_dict(document())
#: No 5xx, and every answer as documented. (Not "schema-valid data is accepted": a request can
#: match the schema and still hold a policy the engine refuses, with a documented 422.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def session_url(base_url: str) -> str:
    return base_url


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzzed_by_schemathesis(case: schemathesis.Case[Any], session_url: str) -> None:
    """Generated requests against every operation: never a 5xx, every response conforms to
    its documented status, content type and schema."""
    case.call_and_validate(base_url=session_url, checks=CHECKS)
