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
# and bench/results.json (about a minute); then the nightly batch (bench/batch.py): 1,000,000
# bookings Parquet → Parquet, 1 vs 2 workers, Dask vs processes, bench/batch_results.json (tens
# of minutes on a busy 2-core machine). Not part of `make test` (timings are noisy).
bench: $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.batch

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
