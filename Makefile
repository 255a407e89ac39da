# The two commands: `make demo` and `make test`. Both go through `make setup`.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
BIN := .venv/bin

.PHONY: setup test test-fast demo lint proto clean bench chromium

setup: .venv/.installed node_modules/.installed proto

.venv/.installed: pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	test -x node_modules/.bin/anvil && test -x node_modules/.bin/buf && test -x node_modules/.bin/solcjs
	touch $@

# Generated protobuf/gRPC code is produced here, never edited by hand (node/_proto is ignored by git).
proto: .venv/.installed
	@if [ -d protos/credit ]; then $(PY) -m node.protogen; fi

test: setup chromium
	$(BIN)/pytest -q --durations=15 $(PYTEST_ARGS)

# Headless Chromium and a CJK font for the credit-report rendering test (Debian packages;
# CI runs as root). Nothing happens when they are already installed.
chromium:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	@fc-list :lang=zh | grep -q . || (apt-get update && apt-get install -y fonts-wqy-microhei)

# The inner loop: no anvil, no PostgreSQL, nothing marked slow (markers: pyproject.toml).
test-fast: setup
	$(BIN)/pytest -q -m "not anvil and not postgres and not slow" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check node ledger crypto tests bench contracts
	$(BIN)/mypy node ledger crypto
	$(BIN)/lint-imports

# The four-province consortium demo in var/consortium (wiped first; left running: stop it
# with `.venv/bin/credit-node consortium down --dir var/consortium`). Extra options go in
# DEMO_ARGS, e.g. `make demo DEMO_ARGS="--records-per-province 5000"`.
demo: setup
	$(BIN)/credit-node demo $(DEMO_ARGS)

# Same-run benchmarks (bench/run_all.py): full under 15 min on 2 cores, QUICK=1 under 3 min;
# both write bench/results/latest.json and print a table.
bench: setup
	$(PY) bench/run_all.py $(if $(QUICK),--quick)

clean:
	rm -rf .venv node_modules node/_proto .pytest_cache .mypy_cache
