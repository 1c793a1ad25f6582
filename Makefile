# The menu. `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
# Some machines set this to keep images small; here it would make every process recompile its imports.
unexport PYTHONDONTWRITEBYTECODE
PY := .venv/bin/python
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: help run test test-fast bench cost package lint format fuzz chaos clean bootstrap chromium portal

help:
	@echo "make run      start the whole system locally: http://127.0.0.1:$${PORT:-8000}"
	@echo "make test     unit, integration, HTTP and browser tests (installs what it needs)"
	@echo "make bench    measured figures: cold imports, AWS calls, latencies"
	@echo "make cost     the monthly AWS bill from measured calls"
	@echo "make package  the deployment artifact and CloudFormation (offline)"
	@echo "make publish-portal STAGE=prod  upload the portal to a deployed stage (docs/deployment.md)"
	@echo "make lint     ruff, mypy and the layer contracts (import-linter)"
	@echo "make fuzz     schemathesis against every service (large run)"
	@echo "make chaos    thousands of dossiers with faults injected, then the invariant checker"

# -- set-up ------------------------------------------------------------------------------------------
.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode
	@touch $@

node_modules/.installed: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

bootstrap: .venv/.synced node_modules/.installed portal

portal: node_modules/.installed
	@$(PY) -m infra.portal_build

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing Chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	  else echo "Chromium is missing at $(CHROMIUM) and this user cannot apt-get it"; exit 1; fi; \
	fi

# -- the two commands --------------------------------------------------------------------------------
run: bootstrap
	@$(PY) -m infra run

# two pytest processes side by side, one coverage report (tests/run.py)
test: bootstrap chromium
	@$(PY) -m tests.run $(PYTEST_ARGS)

test-fast: bootstrap
	@$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

# -- measurements and delivery -------------------------------------------------------------------------
bench: bootstrap
	@$(PY) -m bench

cost: bootstrap
	@$(PY) -m bench.cost

package: bootstrap
	@$(PY) -m infra.package $${STAGE:-prod}

lint: bootstrap
	@.venv/bin/ruff check services infra tests bench
	@.venv/bin/ruff format --check services infra tests bench
	@.venv/bin/mypy
	@.venv/bin/lint-imports

format: bootstrap
	@.venv/bin/ruff format services infra tests bench
	@.venv/bin/ruff check --fix services infra tests bench

fuzz: bootstrap
	@FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} $(PY) -m pytest tests/fuzz -q -p no:cacheprovider

chaos: bootstrap
	@CHAOS_DOSSIERS=$${CHAOS_DOSSIERS:-2000} $(PY) -m pytest tests/chaos -q -s -p no:cacheprovider

clean:
	rm -rf build .serverless .pytest_cache .coverage htmlcov

# -- the portal on AWS: the built portal/ to the stage's bucket, then a CloudFront invalidation ----------
.PHONY: publish-portal
publish-portal: bootstrap
	@$(PY) -m infra publish-portal --stage $${STAGE:-prod}
