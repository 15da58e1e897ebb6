"""The site's own settings, except that static files are served from the apps' folders.

With ``DEBUG`` off the site expects ``collectstatic`` to have compressed every file for the manifest, which
takes minutes; a fault test needs the files served, not compressed.
"""

from sellerops.settings import *  # noqa: F403
from sellerops.settings import STORAGES

WHITENOISE_USE_FINDERS = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
