# Set-up and the everyday commands. `make demo` and `make test` work on a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

# `make bench BENCH_N=2000 BENCH_SCALE_N=10000 BENCH_RUNS=3`: the throughput benchmark's sizes (an empty
# BENCH_SCALE_N skips the scale run; the view latencies need a 1.2 GB database in /tmp/newsmon-bench, made at
# the first run in about 5 minutes); `make bench-smoke` checks in a few minutes that the benchmark works.
BENCH_N ?= 2000
BENCH_SCALE_N ?= 10000
BENCH_RUNS ?= 3

.PHONY: install demo test bench bench-throughput bench-smoke clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "newsmon needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/newsmon demo

test: install
	$(BIN)/python -m pytest

bench: install bench-throughput
	$(BIN)/python bench/extraction.py --json bench/results/extraction.json
	$(BIN)/python bench/eval_nlp.py --throughput --json bench/results/eval_nlp.json
	$(BIN)/python bench/orchestration.py --json bench/results/orchestration.json
	$(BIN)/python bench/writes.py --json bench/results/writes.json
	$(BIN)/python bench/worker_overhead.py --json bench/results/worker_overhead.json

bench-throughput: install
	$(BIN)/python bench/throughput.py --n $(BENCH_N) $(if $(BENCH_SCALE_N),--scale-n $(BENCH_SCALE_N)) \
		--runs $(BENCH_RUNS) --views --json bench/results/throughput.json --markdown bench/results/throughput.md

bench-smoke: install
	$(BIN)/python bench/throughput.py --smoke

clean:
	rm -rf $(VENV) data .pytest_cache
