# specwire — the two commands that matter: `make generate` and `make test`.
# Every target creates or refreshes the local .venv itself (needs only python3 >= 3.11).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PROVIDER ?=
PYTEST_FLAGS ?=

.PHONY: all venv generate check-generated lint types test test-only record bench wheel-check clean

all: test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

## Regenerate every client from specs/ (or only $(PROVIDER)).
generate: $(STAMP)
	$(PY) -m generator $(PROVIDER)

## Regenerate into a temporary folder and fail on any difference with generated/.
check-generated: $(STAMP)
	$(PY) -m generator --check

lint: $(STAMP)
	$(PY) -m ruff check overlays generator tests bench
	$(PY) -m ruff format --check overlays generator tests bench

types: $(STAMP)
	$(PY) -m mypy

## The whole check: lint, types, generated-code drift, all tests, and the wheel install check.
test: lint types check-generated test-only wheel-check

test-only: $(STAMP)
	$(PY) -m pytest -q --record-mode=none --block-network --allowed-hosts='127\.0\.0\.1,localhost,::1' $(PYTEST_FLAGS)

## Re-record cassettes against the live API with credentials from .env (PROVIDER=restless|projectx|therundown|sequence).
record: $(STAMP)
	@test -n "$(PROVIDER)" || (echo "usage: make record PROVIDER=<provider>" && exit 2)
	$(PY) -m pytest -q tests/contract/$(PROVIDER) --record-mode=rewrite

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"   # the peer SignalR clients measured beside ours
	$(PY) -m bench

## Build the wheel, install it into a throwaway venv, import a generated client and an overlay.
wheel-check: $(STAMP)
	$(PY) -m generator.wheel_check

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
