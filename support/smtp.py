"""Sending a reply to the buyer's relay address through the store's SMTP account (Django's SMTP backend)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .models import Mailbox

SMTP_TIMEOUT = 30


@dataclass(frozen=True)
class OutgoingMail:
    from_address: str
    to_address: str
    subject: str
    body: str
    message_id: str
    in_reply_to: str = ""
    references: tuple[str, ...] = ()


def header_text(value: str) -> str:
    """``value`` on one line: a line break in a header value would end it (Django refuses such a header)."""
    return " ".join((value or "").split())


def header_message_ids(values: tuple[str, ...] | list[str]) -> list[str]:
    """The non-empty values that hold no whitespace: a stored id with a line break in it is left out."""
    return [value for value in values if value and len(value.split()) == 1 and value.split()[0] == value]


def reply_subject(subject: str) -> str:
    """"Re: <subject>", once, however many times the subject has already been answered; always on one line."""
    subject = header_text(subject)
    while subject[:3].lower() in ("re:", "aw:", "sv:") or subject[:4].lower() == "réf:":
        subject = subject.split(":", 1)[1].strip()
    return f"Re: {subject}" if subject else "Re:"


def smtp_connection(mailbox: Mailbox | None) -> BaseEmailBackend:
    """The store's SMTP account; without one, the site's configured mail backend."""
    if mailbox is None or not mailbox.smtp_host:
        return get_connection(fail_silently=False)
    password = mailbox.login_password("smtp")
    if mailbox.smtp_user and not password:
        # Never log in without the password entered for this very server (nor send unauthenticated instead).
        raise ApplicationError(_("No SMTP password is stored for %(user)s@%(host)s: enter it in the mailbox "
                                 "settings.") % {"user": mailbox.smtp_user, "host": mailbox.smtp_host})
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host=mailbox.smtp_host, port=mailbox.smtp_port,
        username=mailbox.smtp_user or None, password=password or None,
        use_tls=mailbox.smtp_use_tls, timeout=SMTP_TIMEOUT, fail_silently=False,
    )


def from_address(mailbox: Mailbox | None) -> str:
    return (mailbox.from_address if mailbox is not None and mailbox.from_address else settings.DEFAULT_FROM_EMAIL)


def mail_send(mail: OutgoingMail, *, mailbox: Mailbox | None) -> None:
    """Hand the reply to the SMTP server; a refusal or an unreachable server raises ``ApplicationError``."""
    headers = {"Message-ID": mail.message_id}
    # Rows stored before header fields were checked may hold line breaks: such an id is left out, a subject joined.
    if in_reply_to := header_message_ids([mail.in_reply_to]):
        headers["In-Reply-To"] = in_reply_to[0]
    if references := header_message_ids(mail.references):
        headers["References"] = " ".join(references)
    message = EmailMessage(subject=header_text(mail.subject), body=mail.body, from_email=mail.from_address,
                           to=[mail.to_address], headers=headers, connection=smtp_connection(mailbox))
    try:
        sent = message.send(fail_silently=False)
    except (TimeoutError, smtplib.SMTPException, OSError, UnicodeError) as error:
        reason = mailbox.scrub(str(error)) if mailbox is not None else str(error)
        raise ApplicationError(_("The reply could not be sent: %(error)s") % {"error": reason}) from None
    if not sent:
        raise ApplicationError(_("The mail server did not accept the reply."))
