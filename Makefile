# Cardfile's tasks. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
NODE_DIR := tests/seeds/node

.DEFAULT_GOAL := help
.PHONY: help run test install install-dev lint typecheck contracts pytest bench migration clean

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: install ## Install everything and run the service on http://127.0.0.1:8000 (SQLite in ./data)
	$(BIN)/cardfile serve

test: install-dev lint typecheck contracts pytest ## Install everything and run the whole test suite

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	npm ci --prefix $(NODE_DIR) --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed ## Install the service into .venv

install-dev: $(VENV)/.installed $(VENV)/.installed-dev $(NODE_DIR)/node_modules/.installed ## Install the service, test tools and the Node packages the seed-snippet tests use

lint: install-dev ## ruff: lint and format check
	$(BIN)/ruff check src tests bench simulators
	$(BIN)/ruff format --check src tests bench simulators

typecheck: install-dev ## mypy --strict on src/ and simulators/
	$(BIN)/mypy

contracts: install-dev ## import-linter: the one-way flow of docs/architecture.md
	$(BIN)/lint-imports

pytest: install-dev ## The test suite (PostgreSQL tests need 127.0.0.1:5432; mandatory when CI=true)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install-dev ## Run the benchmarks in bench/ (minutes; see bench/RESULTS.md)
	$(BIN)/python -m bench.run_all

migration: install-dev ## Generate a migration from store/schema.py changes: make migration MESSAGE="add x"
	$(BIN)/python -c "import sys; from alembic import command; from cardfile.store.db import alembic_config; cfg = alembic_config('sqlite:///' + sys.argv[1]); command.upgrade(cfg, 'head'); command.revision(cfg, message=sys.argv[2], autogenerate=True)" "$$(mktemp -d)/upgraded.db" "$(MESSAGE)"

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) data $(NODE_DIR)/node_modules
