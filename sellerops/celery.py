"""The Celery application: Redis broker when REDIS_URL is set, eager in-process tasks otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerops.settings")

app = Celery("sellerops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The tasks that join sibling apps live in this top layer, which is not an installed app.
app.autodiscover_tasks(["sellerops"])
