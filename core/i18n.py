"""Which languages our own catalogue speaks: English (the source) and each language compiled under LOCALE_PATHS."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import to_locale


@cache
def _catalogued(language: str, locale_paths: tuple[str, ...]) -> bool:
    return any((Path(path) / to_locale(language) / "LC_MESSAGES" / "django.mo").is_file() for path in locale_paths)


def language_is_catalogued(language: str) -> bool:
    """Whether our pages and texts can be written in ``language`` (Django's own catalogues do not count)."""
    if language.split("-")[0] == "en":
        return True
    return _catalogued(language.lower(), tuple(str(p) for p in settings.LOCALE_PATHS))
