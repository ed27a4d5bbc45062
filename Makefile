# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KW := $(BIN)/keyworker

.PHONY: demo test lint types unit install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed-dev

demo: install
	$(KW) init
	$(KW) demo --dir demo
	$(KW) plan --commit --start $$($(BIN)/python -c 'import datetime as d; t = d.date.today(); print(t + d.timedelta(days=7 - t.weekday()))')
	$(KW) calendars export calendars-out
	@echo
	@echo "Calendars: calendars-out/REF.ics   Database: keyworker.db   Sample CSV files: demo/"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q

test: lint types unit

clean:
	rm -rf $(VENV) demo calendars-out keyworker.db keyworker.db-wal keyworker.db-shm
