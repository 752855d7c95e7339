# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := tests/js/node_modules/.installed-stamp
BENCH_STAMP := benchmarks/node_modules/.installed-stamp

.PHONY: install run test test-slow coverage lint typecheck bench fuzz clean settings-doc

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(NODE_STAMP): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(BENCH_STAMP): benchmarks/package.json benchmarks/package-lock.json
	npm ci --prefix benchmarks --no-audit --no-fund --loglevel=error
	touch $(BENCH_STAMP)

run: install
	$(BIN)/ventanilla demo
	@echo "The ventanilla command is $(abspath $(BIN))/ventanilla (or run 'source $(VENV)/bin/activate' to put it on the PATH)."
	$(BIN)/ventanilla serve

# Rewrite docs/configuration.md and .env.example from the Settings docstrings (a test fails when they drift).
settings-doc: install
	$(BIN)/python -m ventanilla.settings_doc

lint: install
	$(BIN)/ruff check src tests benchmarks migrations

typecheck: install
	$(BIN)/mypy

# Parallel workers, each with its own servers and databases (tests/conftest.py); the suite mostly waits on
# sockets and subprocesses, so more workers than cores pays off (docs/architecture.md, "Measures").
# `worksteal`, not `loadgroup`: pytest-xdist 3.8 can hang for good when a loadgroup/loadscope worker crashes and
# is replaced (pytest-xdist#1323, #1378). A test whose worker crashed (a segfault in a C extension, or a
# pytest-timeout stop) runs once more; a test that fails is never re-run.
TEST_WORKERS ?= 4
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist worksteal --reruns 1 --only-rerun "crashed while running"

test: install $(NODE_STAMP) lint typecheck
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "not slow"

test-slow: install $(NODE_STAMP)
	$(BIN)/pytest $(PYTEST_PARALLEL) -m slow

# The whole suite (slow tests included) with a line-coverage figure of src/ventanilla.
coverage: install $(NODE_STAMP)
	$(BIN)/pytest $(PYTEST_PARALLEL) --cov --cov-report=term --cov-report=html:var/coverage-html

# e.g. make bench BENCH_ARGS="--ports 20000-29999" (or --quick, --only ask,mix); SIGINT/SIGTERM stop every child.
BENCH_ARGS ?=
bench: install $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# Schemathesis with every check, 4 roles, SQLite and PostgreSQL (when reachable), 50 examples per operation (issue
# 22's floor); long (about an hour per database on a busy 2-core machine), not part of `make test`.
# e.g. make fuzz FUZZ_EXAMPLES=100 FUZZ_ARGS="--databases postgresql --jobs 4"
FUZZ_EXAMPLES ?= 50
FUZZ_ARGS ?=
fuzz: install
	nice $(BIN)/python tools/fuzz.py --examples $(FUZZ_EXAMPLES) $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) tests/js/node_modules benchmarks/node_modules var .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
