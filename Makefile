# GridCase — the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
HOST   ?= 127.0.0.1
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_ENV := DJANGO_SETTINGS_MODULE=gridcase.settings.dev

.PHONY: install demo serve serve-scaled generate-district bench test test-fast test-embedded test-postgres lint lock messages screenshots clean

install: $(STAMP) node_modules/.installed

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[test]'
	touch $@

## Browser libraries served by Django itself (Chart.js for the boards; no CDN at run time).
## Without npm the boards still show their tables; under CI=true a missing npm is an error.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --omit=dev --ignore-scripts --no-audit --no-fund && touch $@; \
	elif [ "$$CI" = "true" ]; then \
	  echo "npm is required (CI=true): the boards' charts come from node_modules/" >&2; exit 1; \
	else \
	  echo "warning: npm not found; the boards will show tables without charts" >&2; \
	fi

## Bring up the demo street on http://$(HOST):$(PORT)/ (PORT=... to change it): the ASGI server
## and, next to it, the timer dispatcher (overdue marks, escalation); Ctrl-C stops both.
demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py webpush_keys --if-missing
	$(DEMO_ENV) $(BIN)/python manage.py load_street fixtures/data/qinggang.json
	$(DEMO_ENV) $(BIN)/python manage.py load_demo_cases
	$(DEMO_ENV) $(BIN)/python manage.py load_demo_points
	$(DEMO_ENV) $(BIN)/python manage.py load_demo_deliberation
	$(DEMO_ENV) $(BIN)/python manage.py load_street fixtures/data/qinggang.json --accounts-only
	@echo "GridCase demo: http://$(HOST):$(PORT)/  (every password: gridcase-demo; Ctrl-C to stop)"
	$(DEMO_ENV) $(BIN)/python manage.py run_timers & timers=$$!; \
	$(DEMO_ENV) $(BIN)/python manage.py points_escalate --every 60 & escalate=$$!; \
	trap 'kill $$timers $$escalate 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/daphne --bind $(HOST) --port $(PORT) gridcase.asgi:application

## Scaled-out mode on this machine: PostgreSQL (data kept in var/scaled/) and Redis on 127.0.0.1
## (Debian packages, installed if missing), migrations, $(WORKERS) uvicorn workers on
## http://$(HOST):$(PORT)/ and one timer dispatcher; Ctrl-C stops everything.
WORKERS ?= 2
serve-scaled: install
	$(BIN)/python -m gridcase.scaled --workers $(WORKERS) --host $(HOST) --port $(PORT)

## Fill the scaled-out database with the generated district and CASES cases (bulk COPY).
CASES ?= 10000
generate-district: install
	$(BIN)/python -m gridcase.localservices --keep var/scaled/postgres postgres -- \
	  sh -c '$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput && \
	         $(DEMO_ENV) $(BIN)/python manage.py generate_district --cases $(CASES)'

## Benchmarks against the scaled-out stack (bench/README.md); BENCH_CASES=1000000 for full size.
bench: install
	$(BIN)/python -m bench

## Run the whole test suite twice, both passes at once on the two cores (each output line is
## prefixed with its pass; the exit status fails if either fails): embedded (SQLite + in-memory
## channel layer) and scaled-out: a private PostgreSQL and Redis that gridcase/localservices.py
## starts on 127.0.0.1 (installing Debian's `postgresql` and `redis-server` if missing) and
## stops. The scaled-out pass runs the browser tests of the whole loop only (tests/conftest.py).
test: install
	@bash -c 'set -o pipefail; \
	  ( $(MAKE) --no-print-directory test-embedded 2>&1 | sed -u "s/^/[embedded] /" ) & e=$$!; \
	  ( $(MAKE) --no-print-directory test-postgres 2>&1 | sed -u "s/^/[postgres] /" ) & p=$$!; \
	  wait $$e; re=$$?; wait $$p; rp=$$?; \
	  echo "make test: embedded pass exit $$re, PostgreSQL pass exit $$rp"; \
	  test $$re = 0 && test $$rp = 0'

## The fast loop while working: embedded only, without the tests marked `slow` (browsers, real
## servers and workers, PostgreSQL/Redis harnesses, long hypothesis and schemathesis runs).
## Under three minutes on two cores; `make test` still runs everything on both databases.
test-fast: install
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

test-embedded: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install
	$(BIN)/python -m tests.services postgres redis -- $(BIN)/python -m pytest $(PYTEST_ARGS)

## Lint, format check and type check (mypy with django-stubs, configured in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy gridcase grids workflows notifications deliberation points hotline

## Run the browser tests and refresh the screenshots the README shows (docs/screenshots/).
screenshots: install
	$(BIN)/python -m pytest tests/e2e -q
	for shot in docs/screenshots/*.png; do cp "var/screenshots/$$(basename "$$shot")" "$$shot"; done

## Re-pin exact versions after changing pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e '.[test]'
	( echo '# Exact versions for reproducible installs: pip install -c requirements/constraints.txt -e ".[test]"'; \
	  echo '# Regenerate with `make lock` after changing pyproject.toml.'; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable ) > requirements/constraints.txt
	rm -rf .lock-venv

## Extract and compile translations (needs GNU gettext); the compiled .mo files are committed.
messages: install
	$(BIN)/python manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .hypothesis .mypy_cache node_modules
