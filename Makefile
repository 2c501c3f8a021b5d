# The only commands a newcomer needs: `make demo` and `make test`.
# Each target sets up .venv/ itself (plain venv + pip): every package of the test/dev environment at
# the exact version (and hash) of requirements/lock.txt, then penalty itself, editable and without
# dependencies (built by the locked setuptools, no network). It is set up again when pyproject.toml,
# the lock or the version changes, from scratch when the lock changed (nothing it dropped stays).
#
# The lock is what makes a fresh clone reproducible; pyproject.toml keeps ranges for library users.
#   make lock                      re-lock after editing pyproject.toml (keeps every other pin)
#   make lock-upgrade              every package to its newest release (a deliberate update)
#   make lock-upgrade PACKAGE=babel   one package to its newest release
#   make test-latest               the same checks against the newest releases (.venv-latest/)
# The lock is made by uv at the exact version below, for Python >= 3.11 on every platform.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
LOCK    := requirements/lock.txt
PIP_VERSION := 26.3
UV_VERSION  := 0.13.9
LOCKER  := .venv-lock
LATEST  := .venv-latest
# Every extra of pyproject.toml (the lock and test-latest install them all).
EXTRAS   = $(shell $(PYTHON) -c "import tomllib; print(','.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']))")
# What lint, typecheck and unit need first (test-latest runs them against its own venv instead).
INSTALLED ?= $(STAMP)
LINTED  := penalty tests bench .ci

.PHONY: demo test lint typecheck unit bench bench-instructions bench-serve bench-sandboxes fuzz dist lock lock-upgrade test-latest clean

$(STAMP): pyproject.toml $(LOCK) penalty/__init__.py
	@cmp -s $(LOCK) $(VENV)/lock.txt || rm -rf $(VENV)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	PYTHONWARNINGS="ignore:Editable installation" \
	    $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@cp $(LOCK) $(VENV)/lock.txt
	@touch $(STAMP)

demo: $(STAMP)
	@$(BIN)/python -m penalty.demo

test: lint typecheck unit

lint: $(INSTALLED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/lint-imports

typecheck: $(INSTALLED)
	$(BIN)/mypy --strict $(LINTED)

# On every core (pytest-xdist): each worker starts its own servers on free ports.
unit: $(INSTALLED)
	$(BIN)/pytest -q -n auto

# The fuzz tests alone (@pytest.mark.fuzz), 20,000 examples each: several minutes. They include
# the CLI run on large and hostile inputs at full size (64 MiB files, 100,000 windows and ranges)
# in a child limited to 1 GiB of address space and 20 s of CPU; each run's peak RSS and time are
# printed and kept in bench/limits-results.json (`make test` runs a few of them at 1 MiB).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -m fuzz --hypothesis-show-statistics tests

# penalty against a partner-style reference (bench/reference_impl.py), figure by figure: a table,
# and bench/results.json (about a minute); then the nightly batch (bench/batch.py): 1,000,000
# bookings Parquet → Parquet, 1 vs 2 workers, Dask vs processes, bench/batch_results.json (tens
# of minutes on a busy 2-core machine). Not part of `make test` (timings are noisy).
bench: $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.batch

# The end-to-end row counted in CPU instructions (valgrind's callgrind): penalty, the reference
# and the lean floor, the same from run to run however busy the machine is. A few minutes.
bench-instructions: $(STAMP)
	$(BIN)/python -m bench.instructions

# The provider sandboxes under load (5,000 requests, 200 at once, each) and 2,000 half-open
# clients: answers, resets, latency. A minute or so.
bench-sandboxes: $(STAMP)
	$(BIN)/python -m bench.sandboxes

# The sdist and the wheel in dist/, built with the locked build tools (no network).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	@# setuptools leaves penalty.egg-info/ here: its metadata (entry points) would shadow the
	@# installed package's for any python started in this folder once pyproject.toml changes.
	rm -rf penalty.egg-info build

$(LOCKER)/bin/uv:
	$(PYTHON) -m venv $(LOCKER)
	$(LOCKER)/bin/python -m pip install --quiet uv==$(UV_VERSION)

# From PyPI only, whatever pip or uv configuration this machine has; hashes for every file.
UV_COMPILE = $(LOCKER)/bin/uv pip compile pyproject.toml --all-extras --universal \
	--python-version 3.11 --generate-hashes --no-config --default-index https://pypi.org/simple \
	--custom-compile-command "make lock" --quiet --output-file $(LOCK)

lock: $(LOCKER)/bin/uv
	@mkdir -p $(dir $(LOCK))
	$(UV_COMPILE)

lock-upgrade: $(LOCKER)/bin/uv
	$(UV_COMPILE) $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade)
	@git diff --stat -- $(LOCK) 2>/dev/null || true

# The newest release of everything pyproject.toml allows, without the lock: what a library user
# installing today gets. When it fails and make test passes, a dependency changed: update the lock
# (make lock-upgrade) and the code or expected strings, deliberately, in one commit.
test-latest:
	@test -x $(LATEST)/bin/python || $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" $(LATEST)/bin/python -m pip install --quiet \
	    --upgrade --upgrade-strategy eager -e ".[$(EXTRAS)]"
	@$(LATEST)/bin/python .ci/lock_diff.py $(LOCK)
	@$(MAKE) --no-print-directory lint typecheck unit VENV=$(LATEST) INSTALLED=

# `penalty serve` under a bounded load from a second process on loopback (20,000 POST /v1/quote
# at 64 concurrent, one worker and two), against the same service answering from
# bench/reference_impl.py: throughput, p50/p99, errors, RSS. A few minutes; not part of `make test`.
bench-serve: $(STAMP)
	$(BIN)/python -m bench.serve

clean:
	rm -rf $(VENV) $(LATEST) $(LOCKER) .pytest_cache .mypy_cache .ruff_cache .hypothesis dist build penalty.egg-info
