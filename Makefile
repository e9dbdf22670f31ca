# Two entry points for a fresh machine: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run demo test serve compile clean

# setup.py compiles the matcher's hot modules with mypyc during the install (sources run where that fails).
# An edit to matchers/ reinstalls, so the targets below run what is shipped; between edits,
# `.venv/bin/python -m pytest` runs the edited sources without waiting for the compiler.
$(BIN)/claimwatch: pyproject.toml setup.py $(wildcard matchers/*.py)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

run: $(BIN)/claimwatch  ## install, migrate the SQLite store and run one monitoring cycle
	$(BIN)/claimwatch run

demo: $(BIN)/claimwatch  ## offline demo against a bundled corpus on 127.0.0.1
	$(BIN)/claimwatch demo

serve: $(BIN)/claimwatch
	$(BIN)/claimwatch serve

test: $(BIN)/claimwatch  ## the whole test suite (PostgreSQL too when CLAIMWATCH_TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest -q

compile: $(BIN)/claimwatch  ## compile the matcher now if it changed since the last install

clean:
	rm -rf $(VENV) claimwatch.db claimwatch.db-wal claimwatch.db-shm build matchers/*.so matchers/compiled.json claimwatch_matchers__mypyc*.so
