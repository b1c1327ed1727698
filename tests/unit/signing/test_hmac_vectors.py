"""The reference's HMAC test vectors (restless.md §7.2), plus the properties a verifier relies on."""

from __future__ import annotations

import json

import pytest
from specwire.signing import canonical_json, compute_hmac, hmac_digest, verify_hmac

# (secret, payload as JSON text, canonical string, signature) — reference §7.2, verbatim.
VECTORS = [
    (
        "secret",
        '{"id":"order_123","total":42}',
        '{"id":"order_123","total":42}',
        "0e8d5075fec7809ec154d186f8b561bfd9f984bb8f9732c2784425d2f4987f8b",
    ),
    (
        "whsec_test_123",
        '{"zeta":1,"alpha":{"y":[3,2,1],"b":"héllo ✓"},"m":null,"t":true,"f":1.5}',
        '{"alpha":{"b":"héllo ✓","y":[3,2,1]},"f":1.5,"m":null,"t":true,"zeta":1}',
        "3286f6ccf09a55c35483341af205d56e45d826516682fac92e57e12cb5402f70",
    ),
    (
        "rs_0123456789abcdef",
        '[{"b":2,"a":1},"x",0.1,-7,false]',
        '[{"a":1,"b":2},"x",0.1,-7,false]',
        "28700d754ecc38b43d0047e8b41f23d1604c8ea9673a93995b715fd6efaa614b",
    ),
    (
        "secret",
        '{"args":{},"headers":{"Accept":"*/*","Host":"httpbin.org"},"origin":"140.82.14.127","url":"https://httpbin.org/get"}',
        '{"args":{},"headers":{"Accept":"*/*","Host":"httpbin.org"},"origin":"140.82.14.127","url":"https://httpbin.org/get"}',
        "b38738695f9f35fa6e93fddb332c70121ffb2747ac03925187417e67e36489d5",
    ),
    (
        "k",
        '{"price":1.0,"big":12345678901234567890,"emoji":"😀","ctrl":"a\\"b\\\\c\\n\\t\\u0001","Z":1,"a":2,"é":3}',
        '{"Z":1,"a":2,"big":12345678901234567890,"ctrl":"a\\"b\\\\c\\n\\t\\u0001","emoji":"😀","price":1.0,"é":3}',
        "4e9a6bd1eeb4d5df39ac1efbf3aa917ca4c8d93977f0ef080d35cd347cc292fa",
    ),
    (
        "secret",
        '"plain string"',
        '"plain string"',
        "ba035aa6fbc12aa46ad9678bacc513f819bca6366811fe5afcf995f03ca63bed",
    ),
    ("secret", "null", "null", "80f1d91291f8ced5c60448b04dbb3b58828b7cc3fdf4f94e56e44f61e17abc99"),
]


@pytest.mark.parametrize(("secret", "payload_json", "canonical", "signature"), VECTORS)
def test_reference_vector(secret: str, payload_json: str, canonical: str, signature: str) -> None:
    payload = json.loads(payload_json)
    assert canonical_json(payload) == canonical.encode("utf-8")
    assert compute_hmac(secret, payload) == signature
    assert verify_hmac(secret, payload, signature)


def test_canonical_bytes_of_vector_2_match_the_reference_hex() -> None:
    payload = json.loads(VECTORS[1][1])
    assert canonical_json(payload).hex() == (
        "7b22616c706861223a7b2262223a2268c3a96c6c6f20e29c93222c2279223a5b332c322c315d7d2c2266223a"
        "312e352c226d223a6e756c6c2c2274223a747275652c227a657461223a317d"
    )


def test_key_order_does_not_matter_but_int_vs_float_does() -> None:
    assert compute_hmac("secret", {"total": 42, "id": "order_123"}) == VECTORS[0][3]
    assert (
        compute_hmac("secret", {"id": "order_123", "total": 42.0})
        == "fa5bc34aa1ff9ec430806a2e6bfeca8ae5fa00fc1cfb7ff2c122bea2e95118c0"
    )


def test_verify_is_exact_and_case_sensitive() -> None:
    secret, payload, sig = "secret", {"id": "order_123", "total": 42}, VECTORS[0][3]
    assert not verify_hmac(secret, payload, sig.upper())
    assert not verify_hmac(secret, payload, "sha256=" + sig)
    assert not verify_hmac("other", payload, sig)
    assert not verify_hmac(secret, {"id": "order_123", "total": 43}, sig)
    assert not verify_hmac(secret, payload, None)
    assert not verify_hmac(secret, payload, "")
    assert not verify_hmac(secret, payload, "é" * 64)


def test_bytes_secret_and_base64_output() -> None:
    assert compute_hmac(b"secret", {"id": "order_123", "total": 42}) == VECTORS[0][3]
    b64 = hmac_digest("secret", b'{"id":"order_123","total":42}', encoding="base64")
    assert b64 == "Do1Qdf7HgJ7BVNGG+LVhv9n5hLuPlzLCeEQl0vSYf4s="
    assert verify_hmac("secret", {"id": "order_123", "total": 42}, b64, encoding="base64")


def test_bad_inputs_are_named() -> None:
    with pytest.raises(TypeError, match="set"):
        canonical_json({"a": {1, 2}})
    with pytest.raises(TypeError, match="secret must be str or bytes"):
        compute_hmac(123, {})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'nope'"):
        hmac_digest("s", b"x", digest="nope")
    with pytest.raises(ValueError, match="'b32'"):
        hmac_digest("s", b"x", encoding="b32")  # type: ignore[arg-type]
