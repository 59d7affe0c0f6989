# Boardroom task runner. `make demo` and `make test` install everything first.
SHELL := /bin/bash
UV_VERSION := 0.13.9
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
RUN := $(UV) run --frozen

.PHONY: install demo test dev lint format bench bench-ingest bench-marts bench-exports bench-pipeline db-stop clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.installed: pyproject.toml uv.lock Makefile | $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	# --compile-bytecode: every dbt invocation imports dbt-core afresh; from .pyc files that
	# takes about half as long, and PYTHONDONTWRITEBYTECODE environments never write them.
	$(UV) sync --frozen --all-groups --compile-bytecode
	@touch $@

install: .venv/.installed  ## Install Python dependencies from the lock file

demo: install  ## Set up, generate demo data and run the pipeline on it
	$(RUN) boardroom demo

test: install  ## Run the test suite
	$(RUN) pytest

dev: install  ## Open the Dagster UI (http://127.0.0.1:3000)
	$(RUN) boardroom dev

# SQL: the dbt project (dbt_project/.sqlfluff) and the SQL Boardroom applies itself (.sqlfluff).
SQL_PATHS := dbt_project boardroom

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) sqlfluff lint $(SQL_PATHS)

format: install
	$(RUN) ruff format .
	$(RUN) ruff check --fix .
	$(RUN) sqlfluff fix $(SQL_PATHS)

bench: bench-ingest bench-marts bench-exports bench-pipeline  ## Run every benchmark

bench-ingest: install
	$(RUN) python -m benchmarks.ingest

bench-marts: install
	$(RUN) python -m benchmarks.marts

bench-exports: install
	$(RUN) python -m benchmarks.exports

bench-pipeline: install
	$(RUN) python -m benchmarks.pipeline

db-stop: install  ## Stop the embedded Postgres server
	$(RUN) boardroom db stop

clean: db-stop
	rm -rf .boardroom
