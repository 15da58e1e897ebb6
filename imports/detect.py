"""Which report is this? Recognising a file's kind from its header alone.

Every kind module declares its ``COLUMNS`` and the name Seller Central shows the report under
(``SELLER_CENTRAL_NAME``), so a kind added to ``KINDS`` is recognised, listed and named with no change here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType

from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .parsers import match_columns


class ReportNotRecognised(ApplicationError):
    """The header fits no report kind, or fits several equally well."""


@dataclass(frozen=True)
class KindMatch:
    """How well one kind reads a file's header: the columns of the file it reads, the required ones it lacks."""

    kind: str
    found: int
    missing: tuple[str, ...]

    @property
    def fits(self) -> bool:
        return not self.missing


def seller_central_name(kind: str, kinds: Mapping[str, ModuleType]) -> str:
    return str(getattr(kinds[kind], "SELLER_CENTRAL_NAME", kind))


def kind_matches(lines: Sequence[Sequence[str]], kinds: Mapping[str, ModuleType]) -> list[KindMatch]:
    """Each kind's best reading of ``lines`` (the cells of a file's first lines, any of which may be the header
    below a template's preamble): a line holding all its required columns, then the most of its columns."""
    matches = []
    for kind, module in kinds.items():
        best: KindMatch | None = None
        for cells in lines:
            index, missing = match_columns(cells, module.COLUMNS)
            match = KindMatch(kind=kind, found=len(index), missing=tuple(missing))
            if best is None or (len(match.missing), -match.found) < (len(best.missing), -best.found):
                best = match
        if best is None:
            best = KindMatch(kind=kind, found=0, missing=tuple(c.header for c in module.COLUMNS if c.required))
        matches.append(best)
    return matches


def detect_kind(lines: Sequence[Sequence[str]], kinds: Mapping[str, ModuleType]) -> str:
    """The kind whose required columns all appear in the header and which reads the most of its columns.

    Raise ``ReportNotRecognised`` naming every kind and what it lacks when none fits, or naming the kinds that
    fit equally well.
    """
    matches = kind_matches(lines, kinds)
    fitting = [match for match in matches if match.fits]
    if not fitting:
        lacks = "\n".join(_("%(report)s needs %(columns)s.") % {
            "report": seller_central_name(match.kind, kinds), "columns": ", ".join(match.missing)}
            for match in matches)
        raise ReportNotRecognised(
            _("The report could not be recognised from its header. Choose it in the list, or check that this "
              "is the file Seller Central gave you, tab-separated.") + "\n" + lacks)
    most = max(match.found for match in fitting)
    best = [match for match in fitting if match.found == most]
    if len(best) > 1:
        raise ReportNotRecognised(
            _("The header fits %(reports)s equally well; choose the report in the list.")
            % {"reports": _(" and ").join(seller_central_name(match.kind, kinds) for match in best)})
    return best[0].kind
