"""Sequence REST contract: every documented call through the public facade, replayed from its cassette.

For each case of :mod:`tests.contract.sequence.cases` (one per operation, plus the composite calls):
VCR matches method, path, query and JSON body; the recorded request body and response are validated
against ``specs/sequence/openapi.yaml``; the result is checked field by field through its typed model
(``result.model.to_dict()`` must give back exactly what the service sent). Each case also replays its
documented failure and checks the typed error. The async client replays the same cassettes.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from specwire.core.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)
from specwire.sequence import AsyncSequence, Record, Sequence, SequenceError
from specwire_gen.sequence.models import GraphState, OrderSide, OrderStatus, QuoteSource

from tests.contract.sequence.cases import (
    CASES,
    GID,
    PLACEHOLDER_KEY,
    Case,
    api_key,
    error_message,
    example,
    response_for,
    sequence_vcr_config,
)
from tests.support.cassettes import CASSETTES, recorded
from tests.support.spec_validation import load_spec, validate_request_body, validate_response

BY_MEANING = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    500: ServerError,
}


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return sequence_vcr_config()


@pytest.fixture
def seq() -> Any:
    with Sequence(api_key(), max_retries=0) as client:
        yield client


@pytest.fixture
async def aseq() -> Any:
    async with AsyncSequence(api_key(), max_retries=0) as client:
        yield client


def check_cassette(name: str) -> list[dict[str, Any]]:
    """Validate every recorded request body and response against the spec."""
    interactions = recorded(Path(CASSETTES / "sequence" / f"{name}.yaml"))
    for interaction in interactions:
        req, resp = interaction["request"], interaction["response"]
        path = urlsplit(req["uri"]).path
        if req.get("body"):
            validate_request_body("sequence", req["method"], path, json.loads(req["body"]))
        body = resp["body"]["string"]
        validate_response(
            "sequence", req["method"], path, resp["status"]["code"], json.loads(body) if body else None
        )
        assert PLACEHOLDER_KEY not in json.dumps(interaction)
    return interactions


def _typed_round_trip(record: Any, expected: Any) -> None:
    assert isinstance(record, Record)
    assert dict(record) == expected
    assert record.model.to_dict() == expected, "the typed model lost or changed a field"


def check_custom(case: Case, result: Any) -> None:
    if case.name == "market":
        row = example("listMarkets")["markets"][0]
        _typed_round_trip(result, row)
        assert result.model.slug == "fed-decision-in-october"
    elif case.name == "funding_rate":
        rate = example("getFundingRates")["rates"][0]
        _typed_round_trip(result, rate)
        assert result.model.rate_bps_per_hour == 0.125
    elif case.name == "order":
        row = example("listOrders")["orders"][0]
        _typed_round_trip(result, row)
        assert result.model.side is OrderSide.BUY and result.model.status is OrderStatus.ACCEPTED
    elif case.name == "batch_cancel":
        assert dict(result) == {"mode": "serial", "responses": [{"cancelled": "graph:graph_abc:order:1"}]}
        assert result.model.mode == "serial"
    elif case.name == "amend":
        assert dict(result) == {
            "order_id": "graph:graph_abc:order:2",
            "mode": "cancel_replace",
            "status": "ACCEPTED",
        }
        assert result.model.order_id == "graph:graph_abc:order:2"
    else:  # pragma: no cover - every custom case is listed above
        raise AssertionError(f"no check for {case.name}")


def check_result(case: Case, result: Any) -> None:
    expected = response_for(case)
    if case.kind == "record":
        _typed_round_trip(result, expected)
    elif case.kind == "records":
        assert isinstance(result, list) and len(result) == len(expected)
        for item, want in zip(result, expected, strict=True):
            _typed_round_trip(item, want)
    elif case.kind == "json":
        assert result == expected
    elif case.kind == "none":
        assert result is None
    else:
        check_custom(case, result)


def _params(suffix: str = "") -> list[Any]:
    return [pytest.param(c, marks=pytest.mark.vcr(f"{c.name}{suffix}.yaml"), id=c.name) for c in CASES]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("case", _params())
def test_operation(case: Case, seq: Sequence) -> None:
    result = case.call(seq)
    check_cassette(case.name)
    check_result(case, result)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("case", _params())
async def test_operation_async(case: Case, aseq: AsyncSequence) -> None:
    result = case.call(aseq)
    if inspect.isawaitable(result):
        result = await result
    check_result(case, result)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("case", _params("_error"))
def test_operation_error(case: Case, seq: Sequence) -> None:
    check_cassette(f"{case.name}_error")
    if case.name == "batch_cancel":  # a batch records failures instead of raising
        result = case.call(seq)
        assert result["responses"] == [{"error": f"API error (404): not found (DELETE {_uri(case)})"}]
        return
    with pytest.raises(SequenceError) as info:
        case.call(seq)
    err = info.value
    assert isinstance(err, BY_MEANING[case.error])
    assert (err.status, err.message) == (case.error, error_message(case.error))
    assert str(err).startswith(f"API error ({case.error}): {error_message(case.error)}")
    if case.error == 429:
        assert isinstance(err, RateLimitError) and err.retry_after == 1.0


def _uri(case: Case) -> str:
    return "https://api.sequencemkts.com" + case.url


def test_every_operation_has_a_case() -> None:
    documented = {
        op["operationId"]
        for item in load_spec("sequence")["paths"].values()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }
    covered = {c.op_id for c in CASES} | {"getHealthLive"}
    assert documented == covered


@pytest.mark.vcr("decrease.yaml")
def test_decrease_reads_then_amends_to_the_exact_remaining_size(seq: Sequence) -> None:
    result = seq.decrease("graph:graph_abc:order:1", 2.5)
    [lookup, patch] = check_cassette("decrease")
    assert lookup["request"]["method"] == "GET" and patch["request"]["method"] == "PATCH"
    assert json.loads(patch["request"]["body"]) == {"new_qty_1e8": 750_000_000}
    assert dict(result) == {
        "order_id": "graph:graph_abc:order:2",
        "mode": "cancel_replace_shrink",
        "status": "ACCEPTED",
    }


@pytest.mark.vcr("iter_markets.yaml")
def test_iter_markets_walks_every_page_by_cursor(seq: Sequence) -> None:
    rows = list(seq.iter_markets(venue="kalshi", active=True, cursor="ignored", limit=3))
    check_cassette("iter_markets")
    assert [r["slug"] for r in rows] == ["fed-decision-in-october", "second-page-market"]
    assert [r.model.slug for r in rows] == ["fed-decision-in-october", "second-page-market"]


@pytest.mark.vcr("iter_markets.yaml")
async def test_iter_markets_async(aseq: AsyncSequence) -> None:
    rows = [r async for r in aseq.iter_markets(venue="kalshi")]
    assert [r["slug"] for r in rows] == ["fed-decision-in-october", "second-page-market"]


@pytest.mark.vcr("health.yaml")
def test_health_true_on_200_without_credentials(seq: Sequence) -> None:
    assert seq.health() is True
    [interaction] = check_cassette("health")
    assert "authorization" not in {k.lower() for k in interaction["request"]["headers"]}


@pytest.mark.vcr("health_error.yaml")
def test_health_false_never_raises(seq: Sequence) -> None:
    assert seq.health() is False


@pytest.mark.vcr("quote.yaml")
def test_quote_typed_fields(seq: Sequence) -> None:
    q = seq.quote("BTC-USD", depth=500, nowait=True)
    assert q["nbbo"]["bid"] == 73984.12
    model = q.model
    assert model.source is QuoteSource.EDGE_NBBO
    assert model.nbbo.mid == 73984.57
    assert model.venues["binance"].age_ms == 42
    assert model.book.bids[0].venue == "binance"


@pytest.mark.vcr("graph_status.yaml")
def test_graph_status_typed_fields(seq: Sequence) -> None:
    status = seq.graph_status(GID)
    assert status.model.status is GraphState.ACTIVE
    spot = status.model.nodes["spot"]
    assert (spot.filled_qty_1e8, spot.avg_fill_price_1e9, spot.fill_count) == (
        20_000_000_000,
        2_325_530_000_000,
        3,
    )


def test_cassettes_hold_no_secrets() -> None:
    """The committed cassettes went through the scrubbing hooks: keys and venue secrets are REDACTED."""
    [interaction] = recorded(Path(CASSETTES / "sequence" / "connect_venue.yaml"))
    assert json.loads(interaction["request"]["body"]) == {
        "api_key": "REDACTED",
        "api_secret": "REDACTED",
        "passphrase": "REDACTED",
    }
    for path in (CASSETTES / "sequence").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "seq_test_0123" not in text and "seq_live_" not in text, path.name
        assert "SK_EXAMPLE" not in text and "Bearer" not in text, path.name


def test_recording_scrubs_secrets_before_writing(tmp_path: Path) -> None:
    from tests.support.cassettes import Interaction, write_cassette

    secret_key, venue_secret = "seq_live_" + "f" * 32, "-----BEGIN RSA PRIVATE KEY-----xyz"
    path = write_cassette(
        tmp_path / "c.yaml",
        [
            Interaction(
                "POST",
                "https://api.sequencemkts.com/v1/strategies",
                200,
                request={"name": "s", "sequence_api_key": secret_key, "secrets": {"K": venue_secret}},
                request_headers={"Authorization": f"Bearer {secret_key}"},
                response={"strategy_id": "strat_abc"},
            )
        ],
        **sequence_vcr_config(),
    )
    text = path.read_text(encoding="utf-8")
    assert secret_key not in text and venue_secret not in text
