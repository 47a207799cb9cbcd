# huitou — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
# The demo county lives in 2018: its clock runs on from 1 August 2018 (empty it for real time).
DEMO_CLOCK ?= 2018-08-01T09:00:00+08:00

.PHONY: run test test-sqlite test-postgresql lint bench bench-smoke assets clean

$(STAMP): requirements.txt requirements-dev.txt setup.cfg setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

## Set up, create the demo county on the embedded SQLite database if absent, serve :5000.
run: $(STAMP) assets
	$(BIN)/huitou init --demo --if-absent
	HUITOU_REHEARSAL_START="$(DEMO_CLOCK)" $(BIN)/huitou serve

## Set up and run the whole suite: SQLite, then PostgreSQL when a server is reachable.
test: $(STAMP) assets lint test-sqlite test-postgresql bench-smoke

test-sqlite: $(STAMP)
	@echo "== test suite on SQLite =="
	HUITOU_TEST_DB=sqlite $(BIN)/pytest -q

test-postgresql: $(STAMP)
	@if HUITOU_TEST_DATABASE_URL="$${HUITOU_TEST_DATABASE_URL:-$(PG_URL)}" $(BIN)/python -m tests.pg_ready; then \
		echo "== domain and web tests on PostgreSQL =="; \
		HUITOU_TEST_DB=postgresql HUITOU_TEST_DATABASE_URL="$${HUITOU_TEST_DATABASE_URL:-$(PG_URL)}" \
			$(BIN)/pytest -q -m "not browser" tests/integration; \
	else \
		echo "!! PostgreSQL SKIPPED: no server answered at $${HUITOU_TEST_DATABASE_URL:-$(PG_URL)}."; \
		echo "!! Only SQLite was tested. Start PostgreSQL (or set HUITOU_TEST_DATABASE_URL) to test both."; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench.run

## Every benchmark scenario at a tiny size: checks that the benchmark works, not how fast.
bench-smoke: $(STAMP)
	@echo "== benchmark smoke run =="
	$(BIN)/python -m bench.run --size smoke

## The browser-side assets (the BPMN viewer, the Uyghur font), installed from npm, never fetched at run time.
assets:
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then \
		command -v npm >/dev/null 2>&1 || { echo "!! npm is not installed: the case page's BPMN viewer comes from npm (apt-get install npm)."; exit 1; }; \
		npm ci --no-audit --no-fund || { echo "!! npm ci failed: is the npm registry reachable (npm config get registry)? The BPMN viewer was not installed."; exit 1; }; \
		touch node_modules; \
	fi
	@mkdir -p web/static/vendor/bpmn-js
	cp node_modules/bpmn-js/dist/bpmn-viewer.production.min.js node_modules/bpmn-js/dist/assets/diagram-js.css \
		node_modules/bpmn-js/dist/assets/bpmn-js.css web/static/vendor/bpmn-js/
	@mkdir -p web/static/vendor/fonts
# Uyghur pages (Arabic script): Noto Sans Arabic, regular and bold, served by huitou itself.
	cp node_modules/@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-400-normal.woff2 \
		node_modules/@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-700-normal.woff2 \
		node_modules/@fontsource/noto-sans-arabic/LICENSE web/static/vendor/fonts/

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache *.egg-info
