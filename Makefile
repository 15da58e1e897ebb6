# SellerOps: `make run` serves the site on embedded defaults, `make test` runs the whole suite.
.DEFAULT_GOAL := help
.PHONY: help run test install messages migrate seed worker beat lint typecheck

PY := .venv/bin/python

help:
	@echo "make run      install into .venv, migrate, load demo data if empty, serve http://127.0.0.1:8000"
	@echo "make test     install the test dependencies and run every test (ARGS=... passes pytest options)"
	@echo "make worker   run a Celery worker (needs REDIS_URL)"
	@echo "make beat     run the Celery beat scheduler (needs REDIS_URL)"
	@echo "make lint     ruff check, and lint-imports (the layers of docs/architecture.md)"
	@echo "make typecheck  mypy over the apps (needs the test extra: pip install -e '.[test]')"

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(ARGS)

install:
	@bash -c 'source scripts/common.sh && ensure_venv'

messages:
	@bash -c 'source scripts/common.sh && compile_messages'

migrate:
	$(PY) manage.py migrate

seed:
	$(PY) manage.py seed_demo

worker:
	.venv/bin/celery -A sellerops worker -l info

beat:
	.venv/bin/celery -A sellerops beat -l info

lint:
	.venv/bin/ruff check .
	.venv/bin/lint-imports

typecheck:
	.venv/bin/mypy
