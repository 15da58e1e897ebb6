"""Mailbox passwords: encrypted at rest like the SP-API credentials, and bound to the server they were entered for.

Existing plain-text passwords are encrypted in place and bound to the mailbox's current server. Going back
decrypts them into the old plain column, except one that cannot be decrypted with the configured keys, does
not fit the old column, or was entered for another server than the one now set: that one is left empty, to be
entered again, rather than handed to the wrong server.
"""

import hashlib

from django.db import migrations, models

import core.crypto
from core.crypto import decrypt, encrypt

CONNECTION = {
    "imap": ("imap_host", "imap_port", "imap_use_ssl", "imap_user"),
    "smtp": ("smtp_host", "smtp_port", "smtp_use_tls", "smtp_user"),
}
OLD_MAX_LENGTH = 200


def _fingerprint(mailbox, side: str) -> str:
    # As ``Mailbox.connection_fingerprint`` computes it at the time of this migration.
    host, port, tls, user = (getattr(mailbox, name) for name in CONNECTION[side])
    text = "\x00".join([(host or "").strip().lower(), str(port), str(bool(tls)), user or ""])
    return hashlib.sha256(text.encode()).hexdigest()


def encrypt_passwords(apps, schema_editor):
    Mailbox = apps.get_model("support", "Mailbox")
    mailboxes = Mailbox.objects.using(schema_editor.connection.alias)
    for mailbox in mailboxes.all():
        changes = {}
        for side in CONNECTION:
            plain = getattr(mailbox, f"{side}_password")
            changes[f"{side}_password"] = encrypt(plain) if plain else ""
            changes[f"{side}_password_for"] = _fingerprint(mailbox, side) if plain else ""
        mailboxes.filter(pk=mailbox.pk).update(**changes)


def decrypt_passwords(apps, schema_editor):
    Mailbox = apps.get_model("support", "Mailbox")
    mailboxes = Mailbox.objects.using(schema_editor.connection.alias)
    for mailbox in mailboxes.all():
        changes = {}
        for side in CONNECTION:
            try:
                plain = decrypt(getattr(mailbox, f"{side}_password"))
            except ValueError:
                plain = ""
            if len(plain) > OLD_MAX_LENGTH or getattr(mailbox, f"{side}_password_for") != _fingerprint(mailbox, side):
                plain = ""
            changes[f"{side}_password"] = plain
        mailboxes.filter(pk=mailbox.pk).update(**changes)


class Migration(migrations.Migration):

    dependencies = [
        ("support", "0007_message_kind_notices"),
    ]

    operations = [
        migrations.AddField(
            model_name="mailbox",
            name="imap_password_for",
            field=models.CharField(blank=True, editable=False, max_length=64,
                                   verbose_name="IMAP password entered for"),
        ),
        migrations.AddField(
            model_name="mailbox",
            name="smtp_password_for",
            field=models.CharField(blank=True, editable=False, max_length=64,
                                   verbose_name="SMTP password entered for"),
        ),
        # Plain text columns first: a token is longer than the old 200 characters.
        migrations.AlterField(
            model_name="mailbox",
            name="imap_password",
            field=models.TextField(blank=True, verbose_name="IMAP password"),
        ),
        migrations.AlterField(
            model_name="mailbox",
            name="smtp_password",
            field=models.TextField(blank=True, verbose_name="SMTP password"),
        ),
        migrations.RunPython(encrypt_passwords, decrypt_passwords),
        migrations.AlterField(
            model_name="mailbox",
            name="imap_password",
            field=core.crypto.EncryptedTextField(blank=True, verbose_name="IMAP password"),
        ),
        migrations.AlterField(
            model_name="mailbox",
            name="smtp_password",
            field=core.crypto.EncryptedTextField(blank=True, verbose_name="SMTP password"),
        ),
    ]
