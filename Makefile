# raciflow: `make run` serves the product (web server and worker), `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# One test process per core: the suite is independent per test (own SQLite file, own
# PostgreSQL database per process, own port), so CI takes half the time on two cores.
TEST_WORKERS ?= auto

.PHONY: run test lint bench clean

$(STAMP): setup.cfg pyproject.toml scripts/install-system-deps
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "raciflow needs Python 3.11+")'
	scripts/install-system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The modeler's scripts (bpmn-js, dmn-js) from npm, served as they ship, and bpmnlint
# with the modeler's rules bundled by esbuild into node_modules: never committed.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json scripts/install-system-deps $(wildcard web/lint/*.mjs)
	scripts/install-system-deps
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	node_modules/.bin/esbuild web/lint/modeler-lint.mjs --bundle --minify --format=iife \
		--log-level=warning --outfile=node_modules/raciflow-lint/dist/modeler-lint.js
	@touch $(NODE_STAMP)

# Compiled translations are build output: made from the .po files, never committed.
MO := web/translations/el/LC_MESSAGES/messages.mo
$(MO): web/translations/el/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel -q compile -d web/translations

run: $(STAMP) $(MO) $(NODE_STAMP)
	$(BIN)/raciflow init --demo
	@echo ""
	@echo "raciflow is starting at http://$(HOST):$(PORT)/ with its worker (the demo logins are listed above; Ctrl-C stops both)"
	RACIFLOW_ENV=development $(BIN)/raciflow run --host $(HOST) --port $(PORT)

test: $(STAMP) $(MO) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=25

bench: $(STAMP)
	$(BIN)/python bench/engine_throughput.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache node_modules
