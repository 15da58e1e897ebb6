#!/usr/bin/env bash
# Install the test dependencies, run the static checks (ruff, lint-imports, mypy) and the whole suite: on
# PostgreSQL when DATABASE_URL is set, on SQLite otherwise; the real-worker tests run when REDIS_URL is set.
# Arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/common.sh"

ensure_venv test
# The browser tests drive Debian's Chromium; the font draws Chinese text. Without them they skip.
if ! apt_install chromium fonts-wqy-microhei; then
    warn "Chromium or its fonts could not be installed: the browser tests will skip"
fi
# The mail tests start their own Dovecot IMAP server on 127.0.0.1. Without it they skip.
if ! apt_install dovecot-imapd; then
    warn "dovecot-imapd could not be installed: the IMAP tests will skip"
fi
compile_messages
ensure_static_root

# The static checks first: style (ruff), the layers (import-linter, docs/architecture.md) and types (mypy).
say "Checking style, layers and types"
"$VENV/bin/ruff" check --quiet .
"$VENV/bin/lint-imports" --no-cache
"$VENV/bin/mypy"

say "Running the tests on $("$PY" -c 'import os; print("PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite")')${REDIS_URL:+ with Redis}"
set +e
"$PY" -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests" >&2
fi
exit "$status"
