# Front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
IDLIB := $(VENV)/bin/idlib
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install dataset reports test lint bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev,dask]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project (reused on later runs)

dataset: $(STAMP) ## Build the sourced event dataset into reports/dataset/
	$(IDLIB) dataset

reports: $(STAMP) ## Build the dataset, score the predictions, execute every notebook, render every PDF into reports/
	$(IDLIB) dataset
	$(IDLIB) score --publish
	$(IDLIB) reports

test: $(STAMP) ## Run the test suite
	$(PY) -m pytest -q

lint: $(STAMP) ## Run ruff
	$(VENV)/bin/ruff check analysis tests benchmarks

bench: $(STAMP) ## Run the benchmarks and print the measured figures
	$(PY) -m benchmarks

clean: ## Remove generated reports (keeps .venv)
	rm -rf reports/dataset reports/scores reports/*.pdf reports/*.ipynb reports/_build
