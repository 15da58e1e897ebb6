#!/usr/bin/env bash
# Install SellerOps into .venv, prepare the database and serve the site at http://$HOST:$PORT.
set -euo pipefail
source "$(dirname "$0")/common.sh"

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

ensure_venv
compile_messages
ensure_static_root
say "Applying database migrations"
"$PY" manage.py migrate --noinput -v 0

django_eval() { "$PY" -c "import django; django.setup(); $1"; }
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-sellerops.settings}"

if [ "$(django_eval 'from django.conf import settings; print(settings.DEBUG)')" = False ]; then
    say "Collecting static files"
    "$PY" manage.py collectstatic --noinput -v 0
fi

empty="$(django_eval '
from django.contrib.auth import get_user_model
from core.models import Store
print(not Store.objects.exists() and not get_user_model().objects.exists())')"
if [ "$empty" = True ]; then
    if "$PY" manage.py help seed_demo >/dev/null 2>&1; then
        say "Loading demo data (manage.py seed_demo)"
        "$PY" manage.py seed_demo
    else
        warn "the database is empty and seed_demo is unavailable: create a user with 'manage.py createsuperuser'"
    fi
fi

login="$(django_eval 'from django.urls import reverse; print(reverse("login"))')"
cat <<BANNER

  SellerOps is starting at http://$HOST:$PORT/
  Sign in at http://$HOST:$PORT$login with one of the demo users
      operator   (order queue)      manager   (account health)
      agent      (buyer messages)   admin     (everything, and /admin/)
  password: sellerops-demo   (as printed by seed_demo)
  Stop with Ctrl+C.

BANNER
exec "$PY" manage.py runserver "$HOST:$PORT"
