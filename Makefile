# The two commands: `make run` and `make test`. Everything they need is installed on the way.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test test-clock lint format setup setup-dev system-deps system-deps-test messages bench clean

run: setup system-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py seed_demo
	scripts/run-dev.sh

test: setup-dev system-deps-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n 2

# The whole suite but the browser and worker tests (other processes keep the real clock), once
# at each of two unusual moments: finds a test that depends on the clock but is not marked `clock`.
test-clock: setup-dev
	PORTAL_TEST_NOW=2027-03-28T01:59:00+01:00 $(PY) -m pytest -n 2 --ignore=tests/browser -m "not worker"
	PORTAL_TEST_NOW=2027-12-31T23:59:30+01:00 $(PY) -m pytest -n 2 --ignore=tests/browser -m "not worker"

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

setup: $(VENV)/.installed-runtime
setup-dev: $(VENV)/.installed-dev

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

# Debian packages: WeasyPrint's libraries for `make run`, plus Chromium for the browser tests.
system-deps:
	scripts/install-system-deps.sh runtime

system-deps-test:
	scripts/install-system-deps.sh test

# Benchmark on the large demo data set against gunicorn, PostgreSQL, Redis and a real worker.
bench: setup-dev
	$(PY) scripts/bench.py

# Regenerate the translation catalogues and compile them (.po and .mo are committed).
messages: setup-dev
	$(PY) manage.py makemessages --locale de --locale en --ignore ".venv/*" --ignore "var/*" --no-obsolete
	$(PY) manage.py compilemessages --ignore ".venv/*" --ignore "var/*"

clean:
	rm -rf var/ .pytest_cache .ruff_cache
