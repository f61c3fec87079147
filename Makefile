# Set-up and the everyday commands. `make demo` and `make test` work on a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

# `make bench BENCH_N=2000 BENCH_SCALE_N=10000 BENCH_RUNS=3`: the throughput benchmark's sizes (an empty
# BENCH_SCALE_N skips the scale run; the view latencies need a 1.2 GB database in /tmp/newsmon-bench, made at
# the first run in about 5 minutes; bench/growth.py's bases, about 4 GB in /tmp/newsmon-growth, about 8 minutes);
# `make bench-smoke` checks in a few minutes that the benchmark works.
BENCH_N ?= 2000
BENCH_SCALE_N ?= 10000
BENCH_RUNS ?= 3

.PHONY: install lock demo test test-fast bench bench-throughput bench-smoke clean

# The install never resolves: the lock is complete (every package, pinned and hashed, for every platform), so
# pip installs exactly its lines (--no-deps) and `pip check` proves nothing is missing. Whatever pip the
# interpreter bundles and whatever the index publishes later, nothing newer than the lock gets in. The build
# backend comes from requirements-build.lock first, so building sgmllib3k (an sdist) and newsmon itself
# needs no isolated build environment fetched from the index.
PIP := $(BIN)/python -m pip --disable-pip-version-check
$(STAMP): pyproject.toml requirements.lock requirements-build.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "newsmon needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --no-deps --require-hashes -r requirements-build.lock
	$(PIP) install --quiet --no-deps --require-hashes --no-build-isolation -r requirements.lock
	$(PIP) check
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# `make lock` regenerates both lock files from pyproject.toml and requirements-build.in, keeping every pin
# that still satisfies them (add --upgrade to UV_COMPILE_ARGS to move to the newest releases).
UV := $(VENV)/uv-tool/bin/uv
UV_COMPILE := --generate-hashes --universal --python-version 3.11 $(UV_COMPILE_ARGS)
lock:
	test -x $(UV) || { $(PYTHON) -m venv $(VENV)/uv-tool && $(VENV)/uv-tool/bin/pip install --quiet uv==0.13.9; }
	$(UV) pip compile pyproject.toml --extra test $(UV_COMPILE) -o requirements.lock
	$(UV) pip compile requirements-build.in -c requirements.lock $(UV_COMPILE) -o requirements-build.lock

demo: install
	$(BIN)/newsmon demo

# The suite runs on pytest-xdist workers, one more than the cores (many tests wait on servers and subprocesses),
# a test file staying on one worker so its module fixtures are built once. `make test-fast` leaves out the
# end-to-end and browser tests (markers e2e, browser): the inner loop.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile
test: install
	$(PYTEST)

test-fast: install
	$(PYTEST) -m "not e2e and not browser"

bench: install bench-throughput
	$(BIN)/python bench/extraction.py --json bench/results/extraction.json
	$(BIN)/python bench/eval_nlp.py --throughput --json bench/results/eval_nlp.json
	$(BIN)/python bench/orchestration.py --json bench/results/orchestration.json
	$(BIN)/python bench/writes.py --json bench/results/writes.json
	$(BIN)/python bench/worker_overhead.py --json bench/results/worker_overhead.json
	$(BIN)/python bench/growth.py --json bench/results/growth.json --markdown bench/results/growth.md

bench-throughput: install
	$(BIN)/python bench/throughput.py --n $(BENCH_N) $(if $(BENCH_SCALE_N),--scale-n $(BENCH_SCALE_N)) \
		--runs $(BENCH_RUNS) --views --json bench/results/throughput.json --markdown bench/results/throughput.md

bench-smoke: install
	$(BIN)/python bench/throughput.py --smoke

clean:
	rm -rf $(VENV) data .pytest_cache
