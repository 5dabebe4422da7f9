# `make run` builds the warehouse from demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_ORDERS ?= 200000
TEST_ORDERS ?= 20000
TEST_DIR := data/test

export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1
export DBT_SEND_ANONYMOUS_USAGE_STATS ?= false

.PHONY: install run docs dashboard test test-fast lint dbt-test dbt-unit pytest test-spark clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,spark]"
	touch $@

run: install
	$(BIN)/retention-warehouse run --orders $(DEMO_ORDERS)

# The dbt docs site of the built warehouse, one offline page: data/serving/dbt_docs/index.html.
docs: install
	$(BIN)/retention-warehouse docs

# The retention dashboard over the published marts (after `make run`): http://127.0.0.1:8050
dashboard: install
	$(BIN)/retention-warehouse dashboard

test: install lint dbt-unit dbt-test pytest

# The inner loop, under two minutes: lint, dbt unit tests (on models built empty from a tiny
# landing) and the Python tests that build no warehouse. `make test` runs everything.
test-fast: install lint dbt-unit
	$(BIN)/python -m pytest -m "not spark and not warehouse"

dbt-unit: install
	$(BIN)/retention-warehouse --raw-dir $(TEST_DIR)/unit/raw generate --orders 500
	RW_RAW_DIR=$(TEST_DIR)/unit/raw RW_WAREHOUSE_PATH=$(TEST_DIR)/unit/warehouse.duckdb \
		DBT_TARGET_PATH=$(TEST_DIR)/unit/target \
		$(BIN)/dbt build --empty --exclude-resource-type test --profiles-dir profiles

lint: install
	$(BIN)/ruff check src tests flows
	$(BIN)/ty check src
	RW_RAW_DIR=$(TEST_DIR)/raw RW_WAREHOUSE_PATH=$(TEST_DIR)/lint.duckdb DBT_TARGET_PATH=$(TEST_DIR)/target-lint \
		$(BIN)/sqlfluff lint models tests

dbt-test: install
	$(BIN)/retention-warehouse --raw-dir $(TEST_DIR)/raw generate --orders $(TEST_ORDERS)
	DBT_TARGET_PATH=$(TEST_DIR)/target $(BIN)/retention-warehouse --raw-dir $(TEST_DIR)/raw \
		--warehouse $(TEST_DIR)/warehouse.duckdb build

pytest: install
	$(BIN)/python -m pytest

# The Spark part of `make test` alone: DuckDB-vs-Spark equivalence and the Spark helpers.
test-spark: install
	$(BIN)/python -m pytest tests/python/test_spark_*.py

clean:
	rm -rf data target $(TEST_DIR)
