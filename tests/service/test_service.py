"""The service over real HTTP on 127.0.0.1: every endpoint, its shapes, its errors, the cache."""

from __future__ import annotations

import json
import logging
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest

from penalty import Booking, Policy, formats
from penalty.preview import preview
from penalty.service import models
from penalty.service.settings import Settings
from tests.helpers import GOTADI, ROOT, load
from tests.service.support import service

BOOKING = load(GOTADI / "booking.json")
EXAMPLE4 = load(GOTADI / "example4_two_windows.json")
SEEDS = sorted(path.stem for path in GOTADI.glob("example*.json"))
PROBLEM = "application/problem+json"


def request(policy: Any = None, **members: Any) -> dict[str, Any]:
    return {"policy": EXAMPLE4 if policy is None else policy, "booking": BOOKING, **members}


def problem(response: httpx.Response, status: int, code: str, path: str | None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with that status, code and path."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    models.Problem.model_validate(body)
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:penalty:problem:{code}"
    assert body["path"] == path
    assert "Traceback" not in response.text
    return body


@pytest.mark.parametrize("seed", SEEDS)
def test_quote_is_the_engine_quote_for_each_seed_example(client: httpx.Client, seed: str) -> None:
    """Every seed example: the service's fee is `Timeline.quote`'s, money as a decimal string."""
    payload = load(GOTADI / f"{seed}.json")
    timeline = Policy.from_gotadi(payload).timeline(Booking.model_validate(BOOKING))
    for at in ("2021-05-09T12:00:00+07:00", "2021-05-12T11:00:00Z", "2021-05-14T00:00:00+07:00"):
        response = client.post("/v1/quote", json=request(payload, at=at))
        assert response.status_code == 200, response.text
        body = models.QuoteResponse.model_validate(response.json())
        assert body.fee == str(timeline.quote(at).fee)
        assert body.model_dump() == {**timeline.quote(at).to_json(), "at": at}
        assert isinstance(response.json()["fee"], str)


def test_quote_without_at_is_now_from_the_server_clock(client: httpx.Client) -> None:
    response = client.post("/v1/quote", json=request())
    body = response.json()
    assert body["at"].endswith("+00:00")  # aware, UTC
    assert body["phase"] == "no_show"  # 2021's windows are long over


def test_schedule_is_the_timeline_segments(client: httpx.Client) -> None:
    response = client.post("/v1/schedule", json=request())
    body = models.ScheduleResponse.model_validate(response.json())
    timeline = Policy.from_gotadi(EXAMPLE4).timeline(Booking.model_validate(BOOKING))
    assert [s.model_dump() for s in body.segments] == [s.to_json() for s in timeline.segments]
    assert body.total == "3000000"


def test_other_formats_are_read_and_detected(client: httpx.Client) -> None:
    """A Duffel payload with ``format: auto``: detected, and JSON numbers read exactly."""
    payload = {
        "cancellation_timeline": [
            {"refund_amount": 80.10, "currency": "GBP", "before": "2023-05-23T13:00:00Z"}
        ]
    }
    booking = {"total": "100.10", "currency": "GBP", "timezone": "Europe/London"}
    body = {"policy": payload, "booking": booking, "at": "2023-05-22T00:00:00Z"}
    response = client.post("/v1/quote", json=body)
    assert response.status_code == 200, response.text
    expected = formats.parse(
        json.loads(json.dumps(payload), parse_float=Decimal), format="duffel"
    ).quote(Booking.model_validate(booking), "2023-05-22T00:00:00Z")
    assert response.json()["fee"] == str(expected.fee) == "20.00"


@pytest.mark.parametrize(("locale", "tz"), [("vi_VN", None), ("en_GB", "Europe/London")])
def test_preview_json_is_the_ui_json(client: httpx.Client, locale: str, tz: str | None) -> None:
    now = "2021-05-11T09:00:00+07:00"
    response = client.post("/v1/preview", json=request(at=now, locale=locale, tz=tz))
    assert response.status_code == 200, response.text
    body = response.json()
    models.PreviewResponse.model_validate(body)
    timeline = Policy.from_gotadi(EXAMPLE4).timeline(Booking.model_validate(BOOKING))
    assert body == preview(timeline, locale, now=now, viewer_tz=tz).to_json()


@pytest.mark.parametrize("width", [None, 375, 1280])
def test_preview_svg_by_accept_header(client: httpx.Client, width: int | None) -> None:
    """``Accept: image/svg+xml``: the chart, drawn for the width asked (default 960)."""
    response = client.post(
        "/v1/preview",
        json=request(at="2021-05-11T09:00:00+07:00", width=width),
        headers={"accept": "image/svg+xml"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert f'width="{width or 960}"' in response.text
    assert response.text.count('class="step"') == 4


def test_accept_neither_json_nor_svg_is_406(client: httpx.Client) -> None:
    response = client.post("/v1/preview", json=request(), headers={"accept": "text/csv"})
    problem(response, 406, "not_acceptable", "Accept")


def test_formats_and_health(client: httpx.Client) -> None:
    listed = models.FormatsResponse.model_validate(client.get("/v1/formats").json())
    assert [f.name for f in listed.formats] == ["auto", *formats.FORMATS]
    assert {f.name: f.zone for f in listed.formats}["ratehawk"] == "required"
    health = models.HealthResponse.model_validate(client.get("/healthz").json())
    assert health.status == "ok"


def test_the_same_rate_asked_again_is_quoted_from_the_cache() -> None:
    """The same policy and booking: a miss, then hits (by the body, then by the canonical
    key, whatever the key order and the instant); /healthz counts them."""
    with service(Settings(cache_size=2)) as url, httpx.Client(base_url=url) as http:
        first = http.post("/v1/quote", json=request(at="2021-05-12T11:00:00Z"))
        again = http.post("/v1/quote", json=request(at="2021-05-12T11:00:00Z"))
        reordered = {"at": "2021-05-13T11:00:00Z", "booking": dict(reversed(BOOKING.items()))}
        other = http.post("/v1/quote", json={**reordered, "policy": EXAMPLE4})
        assert [r.headers["penalty-cache"] for r in (first, again, other)] == [
            "miss",
            "hit",
            "hit",
        ]
        assert other.json()["fee"] == "3000000"
        stats = http.get("/healthz").json()["cache"]
        assert stats == {
            "size": 1,
            "capacity": 2,
            "hits": 2,
            "misses": 1,
            "hit_rate": 0.6667,
            "body_hits": 1,
        }
        for seed in SEEDS[:3]:  # LRU: bounded at 2 timelines
            http.post("/v1/quote", json=request(load(GOTADI / f"{seed}.json")))
        assert http.get("/healthz").json()["cache"]["size"] == 2


def test_a_json_number_and_a_string_are_not_the_same_cache_key() -> None:
    """``1.5`` and ``"1.5"`` read differently (a number may be refused where a string is
    not): they never share a cache entry."""
    from penalty.service._request import cache_key, parse_body

    allowed = frozenset({"policy", "booking", "at"})
    number = parse_body(b'{"policy": [1.5], "booking": {}}', allowed=allowed)
    text = parse_body(b'{"policy": ["1.5"], "booking": {}}', allowed=allowed)
    marker = parse_body(b'{"policy": [{"\\u0000": "1.5"}], "booking": {}}', allowed=allowed)
    assert cache_key(number) != cache_key(text)
    assert cache_key(marker) is None  # a NUL could imitate the number's tag: never keyed


# -- errors: problem+json, 4xx, never a traceback ---------------------------------------------


def test_engine_errors_name_the_request_member(client: httpx.Client) -> None:
    bad_booking = client.post("/v1/quote", json={**request(), "booking": {**BOOKING, "total": "x"}})
    assert problem(bad_booking, 422, "not_a_number", "booking.total")["value"] == "x"
    broken = [{**EXAMPLE4[0], "percent": "150%"}]
    bad_policy = client.post("/v1/quote", json=request(broken))
    body = problem(bad_policy, 422, "percent_out_of_range", "policy.cancelPenalties[0].percent")
    assert body["value"] == "150%"
    bad_at = client.post("/v1/quote", json=request(at="tomorrow"))
    problem(bad_at, 422, "invalid_datetime", "at")
    bad_locale = client.post("/v1/preview", json=request(locale="fr"))
    problem(bad_locale, 422, "unsupported_locale", "locale")
    bad_tz = client.post("/v1/preview", json=request(tz="Mars/Olympus"))
    problem(bad_tz, 422, "unknown_timezone", "tz")
    undetectable = client.post("/v1/quote", json=request({"rooms": []}))
    problem(undetectable, 422, "undetectable_format", "format")


@pytest.mark.parametrize(
    ("body", "status", "code", "path"),
    [
        (b"{", 400, "not_json", "body"),
        (b'{"policy": [], "policy": []}', 400, "duplicate_key", "body"),
        (b'{"policy": NaN, "booking": {}}', 400, "not_json", "body"),
        (b"\xff\xfe", 400, "not_utf8", "body"),
        (b"[]", 422, "invalid_type", "body"),
        (b'{"booking": {}}', 422, "missing", "policy"),
        (b'{"policy": []}', 422, "missing", "booking"),
        (b'{"policy": [], "booking": []}', 422, "invalid_type", "booking"),
        (b'{"policy": [], "booking": {}, "locale": "vi"}', 422, "unknown_member", "locale"),
        (b'{"policy": [], "booking": {}, "format": "csv"}', 422, "unknown_format", "format"),
        (b'{"policy": [], "booking": {}, "fold": "up"}', 422, "invalid_fold", "fold"),
        (b'{"policy": [], "booking": {}, "at": 5}', 422, "invalid_type", "at"),
        (b'{"policy": [], "booking": {}, "zone": []}', 422, "invalid_type", "zone"),
        (b'{"policy": ' + b"[" * 40 + b"]" * 40 + b', "booking": {}}', 400, "too_deep", "policy"),
        (b'{"policy": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, "too_deep", "body"),
        (b'{"policy": 1' + b"0" * 5000 + b', "booking": {}}', 400, "not_json", "body"),
    ],
)
def test_bad_bodies_are_4xx_problems(
    client: httpx.Client, body: bytes, status: int, code: str, path: str
) -> None:
    response = client.post("/v1/quote", content=body, headers={"content-type": "application/json"})
    problem(response, status, code, path)


def test_preview_members_only_on_preview(client: httpx.Client) -> None:
    response = client.post("/v1/schedule", json=request(at="2021-05-12T11:00:00Z"))
    problem(response, 422, "unknown_member", "at")
    width = client.post("/v1/preview", json=request(width=100))
    problem(width, 422, "invalid_type", "width")


def test_too_many_windows_is_refused() -> None:
    windows = [EXAMPLE4[0]] * 5
    with service(Settings(max_windows=4)) as url:
        response = httpx.post(f"{url}/v1/quote", json=request(windows))
    problem(response, 422, "too_many_windows", "policy")


def test_body_limit_is_413_by_length_and_by_stream() -> None:
    with service(Settings(max_body_bytes=1000)) as url:
        big = json.dumps(request(at="x" * 2000)).encode()
        declared = httpx.post(
            f"{url}/v1/quote", content=big, headers={"content-type": "application/json"}
        )
        problem(declared, 413, "body_too_large", "body")

        def chunks() -> Any:
            yield big[:600]
            yield big[600:]

        streamed = httpx.post(
            f"{url}/v1/quote", content=chunks(), headers={"content-type": "application/json"}
        )
        problem(streamed, 413, "body_too_large", "body")


def test_a_body_not_declared_as_json_is_415(client: httpx.Client) -> None:
    response = client.post(
        "/v1/quote", content=json.dumps(request()), headers={"content-type": "text/plain"}
    )
    problem(response, 415, "unsupported_media_type", "Content-Type")


def test_unknown_paths_and_methods_are_problems(client: httpx.Client) -> None:
    problem(client.get("/v2/quote"), 404, "not_found", None)
    problem(client.get("/v1/quote"), 405, "method_not_allowed", None)


def test_slow_engine_work_times_out_with_503() -> None:
    """Engine work past the timeout (a large body is compiled in a worker thread): 503."""
    from penalty.service._engine import Engine

    class Slow(Engine):
        def compile(self, *args: Any, **kwargs: Any) -> Any:
            time.sleep(1)
            return super().compile(*args, **kwargs)

    body = (
        json.dumps(request(at="2021-05-12T11:00:00Z")) + " " * 20_000
    )  # past the inline size: compiled in a thread
    with service(Settings(timeout_seconds=0.2), engine=Slow()) as url:
        response = httpx.post(
            f"{url}/v1/quote", content=body, headers={"content-type": "application/json"}
        )
    body_json = problem(response, 503, "timeout", None)
    assert "0.2 s" in body_json["detail"]
    assert response.headers["retry-after"] == "1"


def test_an_internal_error_is_a_500_problem_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from penalty.service._engine import Engine

    class Broken(Engine):
        def compile(self, *_args: Any, **_kwargs: Any) -> Any:
            msg = "boom"
            raise RuntimeError(msg)

    with service(engine=Broken()) as url, caplog.at_level(logging.ERROR):
        response = httpx.post(f"{url}/v1/quote", json=request())
    problem(response, 500, "internal_error", None)
    assert "boom" not in response.text
    assert any("internal error" in record.getMessage() for record in caplog.records)


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "penalty.service.access"]


def test_access_log_has_no_body(caplog: pytest.LogCaptureFixture, client: httpx.Client) -> None:
    """One line per request: client, method, path, status, time; never the body or headers."""
    secret = "TEST-ONLY-secret-in-a-description"
    payload = [{**EXAMPLE4[0], "description": secret}]
    with caplog.at_level(logging.INFO, logger="penalty.service.access"):
        client.post(
            "/v1/quote?token=TEST-ONLY-query",
            json=request(payload),
            headers={"authorization": "Bearer TEST-ONLY-header"},
        )
        deadline = time.monotonic() + 5  # the server thread logs once the answer is sent
        while time.monotonic() < deadline and not access_lines(caplog):
            time.sleep(0.01)
    lines = access_lines(caplog)
    assert len(lines) == 1
    assert '"POST /v1/quote" 200' in lines[0]
    assert "TEST-ONLY" not in lines[0]


def test_cors_lets_any_page_call_the_service(client: httpx.Client) -> None:
    response = client.post(
        "/v1/quote", json=request(), headers={"origin": "https://booking.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/v1/preview",
        headers={
            "origin": "https://booking.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_widget_files_are_served(client: httpx.Client) -> None:
    page = client.get("/widget/")
    assert page.status_code == 200
    assert "penalty-fee-preview" in page.text
    script = client.get("/widget/penalty-fee-preview.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert client.get("/", follow_redirects=False).headers["location"] == "/widget/"


def test_widget_examples_are_the_fixtures(client: httpx.Client) -> None:
    """The widget page's examples are the seed examples and the crowded fixture, unchanged."""
    examples = {e["id"]: e for e in client.get("/widget/examples.json").json()}
    for seed in SEEDS:
        assert examples[seed]["request"] == {
            "policy": load(GOTADI / f"{seed}.json"),
            "format": "gotadi",
            "booking": BOOKING,
        }
    crowded = ROOT / "fixtures" / "preview"
    assert examples["crowded"]["request"]["policy"] == load(crowded / "crowded_policy.json")


def test_the_fastapi_routes_answer_like_the_hot_path() -> None:
    """`ServiceApp.fastapi` alone (its routes document the POST endpoints) answers the same."""
    from penalty.service import create_app
    from tests.service.support import running

    app = create_app()
    body = request(at="2021-05-12T11:00:00Z")
    with running(app) as fast, running(app.fastapi) as routed:
        direct = httpx.post(f"{fast}/v1/quote", json=body)
        through = httpx.post(f"{routed}/v1/quote", json=body)
        bad = httpx.post(f"{routed}/v1/quote", json={**body, "at": "never"})
    assert through.status_code == 200
    assert through.json() == direct.json()
    problem(bad, 422, "invalid_datetime", "at")
