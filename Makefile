# The two commands in the README: `make run` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: run test lint format install assets messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11 or newer.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	@mkdir -p var
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo
	@echo ""
	@echo "People Zones is at http://127.0.0.1:$(PORT)/ (press Ctrl+C to stop)."
	@echo "Sign in at http://127.0.0.1:$(PORT)/accounts/sign-in/ with a demo login above."
	@echo ""
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rebuild the CSS and vendored front-end files (needs Node and npm; the results are committed).
assets:
	bash frontend/build.sh

# Refresh the translation catalogues after changing user-facing text (needs GNU gettext).
messages: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=frontend --ignore=static
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles
