# The two commands a new user needs:  make run  and  make test  (see README).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha1sum | cut -c1-12)
export HOTLINE_PROFILE ?= anshan
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: setup train run test lint validate unit e2e stories bench clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $$(scripts/python310.sh) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

# Rasa itself skips training when data, domain and config are unchanged since the last model.
train: setup
	@mkdir -p models var
	$(BIN)/rasa train --fixed-model-name hotline --out models

run: train
	@mkdir -p var
	@echo "Starting the assistant: Rasa REST channel at http://localhost:$${RASA_PORT:-8000}/webhooks/rest/webhook"
	@echo "  try: curl -s localhost:$${RASA_PORT:-8000}/webhooks/rest/webhook -d '{\"sender\":\"me\",\"message\":\"你好\"}'"
	$(BIN)/honcho start -f Procfile

validate: setup
	$(BIN)/rasa data validate --fail-on-warnings --max-history 5

lint: setup
	$(BIN)/ruff check bot actions channels kb tests scripts

unit: setup
	$(BIN)/pytest -q -m "not e2e"

e2e: train
	$(BIN)/pytest -q -m e2e

stories: train
	$(BIN)/rasa test core --stories tests/stories --model models/hotline.tar.gz --fail-on-prediction-errors --out results/stories

test: train validate lint
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory stories

bench: train
	$(BIN)/python -m scripts.bench --markdown BENCHMARKS.md

clean:
	rm -rf models results var .pytest_cache
