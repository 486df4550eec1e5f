# The template's own tasks. `make test` is what CI runs.
PYTHON ?= python3
VENV := .venv

.PHONY: test lint lock bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.txt
	touch $@

## Render every combination, install, test and boot the generated projects.
test: $(VENV)/.installed
	$(VENV)/bin/pytest

## Lint the template's own Python (hooks, tests, scripts).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check hooks tests scripts local_extensions.py
	$(VENV)/bin/ruff format --check hooks tests scripts local_extensions.py

## Regenerate the generated projects' lock files (needs the package index).
lock: $(VENV)/.installed
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/python scripts/lock.py

## Benchmark the generated services against bare Flask and Django (about 15 minutes).
bench:
	$(PYTHON) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .cache
