"""manage.py poll_mail [--store CODE]: read new buyer mail from the stores' relay mailboxes now."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from support.imap import mailbox_poll
from support.models import Mailbox


class Command(BaseCommand):
    help = "Read new buyer messages from every active store mailbox (or one store's) over IMAP."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--store", help="Only this store code.")

    def handle(self, *args, store: str | None = None, **options) -> None:
        mailboxes = Mailbox.objects.select_related("store").filter(is_active=True)
        if store:
            mailboxes = mailboxes.filter(store__code=store)
            if not mailboxes.exists():
                raise CommandError(f"No active mailbox for store {store}.")
        failed = 0
        for mailbox in mailboxes:
            try:
                result = mailbox_poll(mailbox=mailbox)
            except ApplicationError as error:
                failed += 1
                self.stderr.write(f"{mailbox.store.code}: {error.message}")
                continue
            self.stdout.write(f"{mailbox.store.code}: {result.fetched} read, {result.created} new, "
                              f"last UID {result.last_uid}")
        if failed:
            raise CommandError(f"{failed} mailbox(es) could not be read.")
