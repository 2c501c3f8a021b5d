# The only commands a newcomer needs: `make demo` and `make test`.
# Each target sets up .venv/ itself (plain venv + pip) the first time, and again when pyproject changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench fuzz clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/python -m penalty.demo

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check penalty tests
	$(BIN)/ruff format --check penalty tests

typecheck: $(STAMP)
	$(BIN)/mypy --strict penalty tests

unit: $(STAMP)
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
