# DomaCross: `make demo` runs the main job, `make test` runs every test.
# Both first install what is missing (project-local only) and are no-ops when nothing changed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.domacross-installed
NPM_STAMP := node_modules/.domacross-installed
TOOLS_STAMP := .tools/.domacross-installed

.PHONY: help setup demo test lint typecheck slither ape-test compile gas-snapshot sdk openapi serve bench bench-api bench-auth bench-sse bench-workers bench-fuzz screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(TOOLS_STAMP) ## Install the virtualenv, npm tools and compiler (idempotent)

$(PY_STAMP): pyproject.toml
	@toolchain/check-prereqs.sh python
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

$(NPM_STAMP): package.json package-lock.json
	@toolchain/check-prereqs.sh node
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(TOOLS_STAMP): $(PY_STAMP) $(NPM_STAMP) toolchain/install-tools.sh toolchain/solc-native.js
	@bash toolchain/install-tools.sh
	@touch $@

compile: setup ## Compile the contracts with Ape (offline)
	$(BIN)/ape compile

demo: setup ## A whole competition end to end: chain, deploy, traders, indexer, API (domacross demo)
	$(BIN)/domacross demo

screenshots: setup ## The three pages at desktop and phone widths -> docs/img/ (runs a small demo; needs Chromium)
	$(BIN)/python -m domacross.demo.screenshots

lint: setup ## ruff (lint and format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup ## mypy --strict over domacross_sdk, domacross, domacross_fuzz and domacross_deploy
	$(BIN)/mypy

slither: setup ## Static analysis; fails on untriaged medium or high findings
	@toolchain/slither-gate.sh

ape-test: setup ## Contract, SDK and property tests through `ape test`
	@# NOTE: --force: Ape's incremental compile misses contracts whose imports changed.
	$(BIN)/ape compile --force > /dev/null
	@# -n 4: test files spread over 4 processes; many tests wait on nodes, servers and
	@# subprocesses, so 4 processes keep 2 cores busy. --no-loadscope-reorder: files start
	@# longest first (tests/durations.json, see tests/utils/schedule.py), so that no long
	@# file runs on alone at the end.
	$(BIN)/ape test tests -n 4 --dist loadfile --no-loadscope-reorder --durations=15

sdk: setup ## Regenerate the SDK's ABIs and typed bindings from contracts/
	$(BIN)/ape compile --force > /dev/null
	$(BIN)/python toolchain/gen_sdk.py

gas-snapshot: setup ## Regenerate tests/gas/gas-snapshot.json after an intended gas change
	$(BIN)/ape compile --force > /dev/null
	UPDATE_GAS_SNAPSHOT=1 $(BIN)/ape test tests/gas

openapi: setup ## Regenerate docs/openapi.json from the API (a test fails when it drifts)
	$(BIN)/python -m domacross.api.openapi docs/openapi.json

serve: setup ## Run the read API on 127.0.0.1:8000 over DOMACROSS_DATABASE_URL
	$(BIN)/domacross serve

bench: setup ## Every benchmark, side by side with its yardstick -> bench/RESULTS.md (~30 min)
	$(BIN)/ape compile > /dev/null
	$(BIN)/python -m bench.run

bench-api: setup ## Leaderboard at 10,000 entrants vs its targets and the 250 ms SLO (SQLite, PostgreSQL)
	$(BIN)/python -m bench.api_bench

bench-auth: setup ## /auth/verify on 4 KB messages: p95 < 50 ms (bounded sign-in work)
	$(BIN)/python -m bench.auth_bench

bench-sse: setup ## 1,000 live leaderboard streams: normal p95 < 50 ms, a new standing on all < 2 s
	$(BIN)/python -m bench.sse_bench

bench-workers: setup ## serve --workers 2 against 1: requests/s (PostgreSQL, Redis counters)
	$(BIN)/python -m bench.workers_bench

test: lint typecheck slither ape-test ## Every test and quality gate (what CI runs)

bench-fuzz: setup ## Fast fuzz engine against forge, same property; fails if a target is missed
	$(BIN)/ape compile > /dev/null
	$(BIN)/python -m bench.fuzz_bench

clean: ## Remove build output (keeps the virtualenv and node_modules)
	rm -rf .build contracts/.cache crytic-export .pytest_cache .mypy_cache .ruff_cache .hypothesis
