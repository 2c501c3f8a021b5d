# The only commands a newcomer needs: `make demo` and `make test`.
# Each target sets up .venv/ itself (plain venv + pip) the first time, and again when pyproject changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench bench-serve fuzz clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/python -m penalty.demo

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check penalty tests bench
	$(BIN)/ruff format --check penalty tests bench

typecheck: $(STAMP)
	$(BIN)/mypy --strict penalty tests bench

unit: $(STAMP)
	$(BIN)/pytest -q

# The fuzz tests alone (@pytest.mark.fuzz), 20,000 examples each: several minutes.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -m fuzz --hypothesis-show-statistics tests

# penalty against a partner-style reference (bench/reference_impl.py), figure by figure: a table,
# and bench/results.json. About a minute; not part of `make test` (timings are noisy).
bench: $(STAMP)
	$(BIN)/python -m bench.run

# `penalty serve` under a bounded load from a second process on loopback (20,000 POST /v1/quote
# at 64 concurrent, one worker and two), against the same service answering from
# bench/reference_impl.py: throughput, p50/p99, errors, RSS. A few minutes; not part of `make test`.
bench-serve: $(STAMP)
	$(BIN)/python -m bench.serve

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
