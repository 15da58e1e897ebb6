"""Migration 0008: the plain-text mailbox passwords already stored are encrypted and bound to their server; going
back gives the old code its plain passwords, but never one it would send to another server."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from support.models import Mailbox

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("support", "0007_message_kind_notices")]
AFTER = [("support", "0008_mailbox_passwords_encrypted")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _raw() -> dict[str, tuple[str, str]]:
    table = connection.ops.quote_name(Mailbox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT imap_user, imap_password, smtp_password FROM {table}")  # noqa: S608
        return {user: (imap, smtp) for user, imap, smtp in cursor.fetchall()}


def test_plain_passwords_are_encrypted_and_the_way_back_is_safe():
    try:
        executor = _migrate(BEFORE)
        apps = executor.loader.project_state(BEFORE).apps
        store_model, mailbox_model = apps.get_model("sellerops", "Store"), apps.get_model("support", "Mailbox")
        for code, user, imap, smtp in [("ONE-US", "one", "imap-plain-1", "smtp-plain-1"),
                                       ("TWO-US", "two", "imap-plain-2", ""),
                                       ("THREE-US", "three", "imap-plain-3", "smtp-plain-3")]:
            store = store_model.objects.create(code=code, name=code, marketplace="US")
            mailbox_model.objects.create(store=store, imap_host="imap.relay.example", imap_user=user,
                                         imap_password=imap, smtp_host="smtp.relay.example", smtp_user=user,
                                         smtp_password=smtp, from_address=f"{user}@example.com")

        _migrate(AFTER)

        raw = _raw()
        for imap, smtp in raw.values():
            assert imap and "imap-plain" not in imap
            assert "smtp-plain" not in smtp
        assert raw["two"][1] == ""
        one = Mailbox.objects.get(imap_user="one")
        assert (one.login_password("imap"), one.login_password("smtp")) == ("imap-plain-1", "smtp-plain-1")
        assert Mailbox.objects.get(imap_user="two").login_password("smtp") == ""
        # Past save(), mailbox three's IMAP server changed: its password must not come back bound to nothing.
        Mailbox.objects.filter(imap_user="three").update(imap_host="imap.attacker.example")

        _migrate(BEFORE)

        assert _raw() == {"one": ("imap-plain-1", "smtp-plain-1"), "two": ("imap-plain-2", ""),
                          "three": ("", "smtp-plain-3")}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
