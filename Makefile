# Accueil — the two commands: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MANAGE := $(BIN)/python manage.py

.PHONY: demo test install migrate seed lint format e2e lock clean messages help

help:
	@echo "make demo   install, migrate, load demo data, run at http://127.0.0.1:8000"
	@echo "make test   install, then the whole suite (SQLite; DATABASE_URL=postgres://… for PostgreSQL)"
	@echo "make e2e    browser tests (needs chromium, see .ci/run)"
	@echo "make lint   ruff check + format check, migrations check"

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)
	@$(MANAGE) compiletranslations --verbosity 0

migrate: install
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) createcachetable

seed: migrate
	$(MANAGE) seed_demo

demo: seed
	$(MANAGE) rundemo

test: install
	ACCUEIL_ENV=test $(BIN)/pytest

e2e: install
	ACCUEIL_ENV=test $(BIN)/pytest e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	ACCUEIL_ENV=test $(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	cd accueil && ../$(BIN)/python ../manage.py makemessages -l fr -l ar -l es --no-obsolete --ignore 'conftest.py' --ignore 'factories.py' --ignore '*/tests/*'

# Re-pin the whole dependency tree after changing pyproject.toml.
lock: install
	$(BIN)/pip-compile --quiet --strip-extras --extra dev --generate-hashes --allow-unsafe -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var
