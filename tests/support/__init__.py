"""Test helpers shared by unit, contract and stream tests (loopback servers, cassettes, spec validation)."""
