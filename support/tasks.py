"""Celery adapters for the inbox: poll every active relay mailbox."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from core.errors import ApplicationError

from .imap import mailbox_poll
from .models import Mailbox

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def support_poll_mailbox_task(self, mailbox_id: int) -> int:
    """Read one store's new mail; returns how many new messages were stored."""
    mailbox = Mailbox.objects.select_related("store").filter(pk=mailbox_id, is_active=True).first()
    if mailbox is None:
        return 0
    try:
        return mailbox_poll(mailbox=mailbox).created
    except ApplicationError as error:
        # The error is kept on the mailbox for the admin; the next beat tries again.
        logger.warning("Polling mailbox %s failed: %s", mailbox_id, error.message)
        return 0


@shared_task(acks_late=True)
def support_poll_mailboxes_task() -> int:
    """Queue a poll of every active mailbox (one task each, so one slow server delays nobody else)."""
    ids = list(Mailbox.objects.filter(is_active=True, store__is_active=True).values_list("id", flat=True))
    for mailbox_id in ids:
        support_poll_mailbox_task.delay(mailbox_id)
    return len(ids)
