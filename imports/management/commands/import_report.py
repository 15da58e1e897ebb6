"""Import an Amazon report file into a store and print what it did; exit 1 if the file had errors."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, DjangoHelpFormatter
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from imports.parsers import Problem
from imports.services import KINDS, import_file, import_kind_choices, import_kind_detect

DETECT = "detect"


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's order of options, and the list of reports below them kept one to a line."""


class Command(BaseCommand):
    help = "Import an Amazon report (tab-separated, as Seller Central exports it) into one store."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        reports = "\n".join(f"  {kind:<18} {name}" for kind, name in import_kind_choices())
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs.setdefault("epilog", _("Reports, as Seller Central names them:") + f"\n{reports}\n  {DETECT:<18} "
                          + _("recognise the report from its column headers"))
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[*KINDS, DETECT], metavar="kind",
                            help=_("Which report the file is: one of those listed below, or detect to recognise it "
                                   "from its header."))
        parser.add_argument("file", type=Path)
        parser.add_argument("--store", required=True, help=_("Store code, e.g. ACME-US."))
        parser.add_argument("--encoding", default="",
                            help=_("utf-8, cp1252 or cp932 (Shift-JIS); detected when not given."))

    def handle(self, *args, kind: str, file: Path, store: str, encoding: str, **options) -> None:
        found = Store.objects.filter(code=store).first()
        if found is None:
            raise CommandError(_("No store with code %(code)s.") % {"code": store})
        try:
            handle = file.open("rb")
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(reason)s.") % {"file": file, "reason": error.strerror}) \
                from None
        try:
            with handle:
                if kind == DETECT:
                    kind = import_kind_detect(data=handle, store=found, encoding=encoding)
                    self.stdout.write(_("%(file)s: recognised as %(report)s.")
                                      % {"file": file.name, "report": dict(import_kind_choices())[kind]})
                result = import_file(store=found, kind=kind, data=handle, encoding=encoding)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(_("%(file)s: %(rows)d rows (%(encoding)s) into %(store)s")
                          % {"file": file.name, "rows": result.total_rows, "encoding": result.encoding or "?",
                             "store": found.code})
        if result.ignored_columns:
            self.stdout.write(_("ignored columns: %(columns)s") % {"columns": ", ".join(result.ignored_columns)})
        self.stdout.write(_("created: %(created)d  updated: %(updated)d  skipped: %(skipped)d")
                          % {"created": result.created, "updated": result.updated, "skipped": result.skipped})
        for warning in result.warnings:
            self.stdout.write(_("warning: %(where)s%(message)s")
                              % {"where": self._where(warning), "message": warning["message"]})
        if result.errors:
            for problem in result.errors:
                self.stderr.write(_("error: %(where)s%(message)s")
                                  % {"where": self._where(problem), "message": problem["message"]})
            if result.error_count > len(result.errors):
                self.stderr.write(_("… and %(count)d more.") % {"count": result.error_count - len(result.errors)})
            raise CommandError(_("%(count)d error(s); nothing was imported.") % {"count": result.error_count},
                               returncode=1)

    @staticmethod
    def _where(problem: Problem) -> str:
        parts = []
        if problem["line"]:
            parts.append(_("line %(line)d") % {"line": problem["line"]})
        if problem["column"]:
            parts.append(_("column %(column)s") % {"column": problem["column"]})
        return f"{', '.join(parts)}: " if parts else ""
