# Two commands: `make run` sets up and serves the shipped Oberhausen data; `make test` sets up and runs every test.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: setup run test screenshots bench bench-endpoint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed
	bash scripts/setup-assets.sh

run: setup
	$(VENV)/bin/stadtgraph build
	$(VENV)/bin/stadtgraph serve --host $(HOST) --port $(PORT)

test: setup
	bash scripts/setup-test-tools.sh
	$(VENV)/bin/python -m pytest

# One page of every page kind at 1366 and 390 px, full height, as var/screenshots/<kind>-<width>.png
# (serves the shipped data itself; needs Debian's chromium, see scripts/setup-test-tools.sh).
screenshots: setup
	$(PY) -m tests.screenshots

bench: setup
	$(VENV)/bin/python -m bench

# The SPARQL endpoint against rdflib-endpoint (the bench extra), same data, same run.
bench-endpoint: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench.endpoint --save

clean:
	rm -rf var .pytest_cache
