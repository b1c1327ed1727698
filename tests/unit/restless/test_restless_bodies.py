"""Request bodies: our fields camel-cased, the user's upstream headers/body untouched, enums checked."""

from __future__ import annotations

import pytest
from specwire.restless import HttpMethod, PayloadMode, PollingStrategy, StreamStatus
from specwire.restless.bodies import build_body, camel_key, inject_api_key


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("payload_mode", "payloadMode"),
        ("jq_filter", "jqFilter"),
        ("hmac_signature_enabled", "hmacSignatureEnabled"),
        ("already_camelCase", "alreadyCamelCase"),
        ("X_Custom_Header", "XCustomHeader"),
        ("a__b", "aB"),
        ("trailing_", "trailing"),
        ("_leading", "Leading"),
        ("__private", "Private"),
        ("Content-Type", "Content-Type"),
        ("alreadyCamel", "alreadyCamel"),
    ],
)
def test_camel_key_follows_the_official_rule(key: str, expected: str) -> None:
    assert camel_key(key) == expected


def test_our_fields_are_camel_cased_user_payload_is_not() -> None:
    body = build_body(
        {"name": "Orders", "payload_mode": "FULL_DATA"},
        headers={"X_Trace_Id": "1", "Content-Type": "application/json"},
        body={"order_id": 5, "nested": {"deep_key": [{"x_y": 1}]}},
        polling_interval=30,
        jq_filter=".items",
        polling_strategies=[{"start_time": "09:00", "end_time": "17:00", "interval_seconds": 5}],
    )
    assert body == {
        "name": "Orders",
        "payloadMode": "FULL_DATA",
        "headers": {"X_Trace_Id": "1", "Content-Type": "application/json"},
        "body": {"order_id": 5, "nested": {"deep_key": [{"x_y": 1}]}},
        "pollingInterval": 30,
        "jqFilter": ".items",
        "pollingStrategies": [{"startTime": "09:00", "endTime": "17:00", "intervalSeconds": 5}],
    }


def test_kwargs_win_over_data_and_models_are_accepted() -> None:
    strategy = PollingStrategy(start_time="09:00", end_time="10:00", interval_seconds=1)
    body = build_body(
        {"name": "a", "status": StreamStatus.ACTIVE},
        name="b",
        method=HttpMethod.POST,
        payload_mode=PayloadMode.JSON_PATCH,
        polling_strategies=[strategy],
    )
    assert body == {
        "name": "b",
        "status": "ACTIVE",
        "method": "POST",
        "payloadMode": "JSON_PATCH",
        "pollingStrategies": [{"startTime": "09:00", "endTime": "10:00", "intervalSeconds": 1}],
    }
    assert build_body(None) == {}
    assert build_body({"method": "post"})["method"] == "POST"


def test_input_mapping_is_not_mutated() -> None:
    data = {"payload_mode": "FULL_DATA", "headers": {"a_b": "1"}}
    build_body(data, name="x")
    assert data == {"payload_mode": "FULL_DATA", "headers": {"a_b": "1"}}


@pytest.mark.parametrize("bad", [5, "name=Orders", ["name", "Orders"], object()])
def test_non_mapping_data_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match=r"data must be a mapping or a specwire_gen\.restless model"):
        build_body(bad)


def test_unknown_enum_values_and_bad_nested_shapes_are_named() -> None:
    with pytest.raises(ValueError, match=r"status must be one of ACTIVE, INACTIVE; got 'PAUSED'"):
        build_body(status="PAUSED")
    with pytest.raises(ValueError, match=r"method must be one of .*'FETCH'"):
        build_body(method="FETCH")
    with pytest.raises(ValueError, match="payloadMode must be one of FULL_DATA, JSON_PATCH; got 'DIFF'"):
        build_body(payload_mode="DIFF")
    with pytest.raises(TypeError, match="status must be a string"):
        build_body(status=1)
    with pytest.raises(TypeError, match="headers must be a mapping"):
        build_body(headers="Accept: */*")
    with pytest.raises(TypeError, match="body must be a mapping"):
        build_body(body=[1, 2])
    with pytest.raises(ValueError, match=r"polling_strategies\[1\] is missing intervalSeconds"):
        build_body(
            polling_strategies=[
                {"startTime": "a", "endTime": "b", "intervalSeconds": 1},
                {"startTime": "a", "endTime": "b"},
            ]
        )
    with pytest.raises(TypeError, match=r"polling_strategies\[0\].intervalSeconds must be an integer"):
        build_body(polling_strategies=[{"startTime": "a", "endTime": "b", "intervalSeconds": "5"}])
    with pytest.raises(TypeError, match="polling_strategies must be a list"):
        build_body(polling_strategies="09:00-17:00")


def test_api_key_injection_keeps_a_callers_key() -> None:
    assert inject_api_key({"name": "a"}, "rs_client") == {"name": "a", "apiKey": "rs_client"}
    assert inject_api_key(build_body(api_key="rs_mine"), "rs_client") == {"apiKey": "rs_mine"}
    assert inject_api_key({"api_key": "x"}, "rs_client") == {"api_key": "x"}
    assert inject_api_key({"name": "a"}, None) == {"name": "a"}
