# mucluc — `make help` lists the targets. Everything runs inside ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install install-dev demo serve lint fmt typecheck test bench messages docs clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install mucluc

install-dev: $(VENV)/.installed-dev ## Install mucluc with the development tools

demo: install ## Load the demo libraries and records into ./mucluc-data and serve them
	$(BIN)/mucluc demo
	$(BIN)/mucluc serve --host $(HOST) --port $(PORT)

serve: install ## Serve the catalogue in ./mucluc-data (or MUCLUC_HOME)
	$(BIN)/mucluc serve --host $(HOST) --port $(PORT)

fmt: install-dev ## Format the code
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

lint: install-dev ## Lint (ruff) and check formatting
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-dev ## Type-check src/ with mypy (strict)
	$(BIN)/mypy

test: lint typecheck ## Lint, type-check and run the whole test suite
	$(BIN)/pytest

bench: install-dev ## Run the benchmarks and print their figures
	$(BIN)/python bench/run.py

messages: install-dev ## Add new translatable strings to the .po catalogues (then translate them)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d src/mucluc/web/locales --no-fuzzy-matching --width 100

docs: install ## Regenerate docs/cli.md from the commands' --help (a test checks it)
	$(BIN)/python -m mucluc.cli.reference > docs/cli.md

clean: ## Remove the virtual environment and caches (keeps mucluc-data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
