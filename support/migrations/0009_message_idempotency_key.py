"""A reply is recorded once per idempotency key (one per rendered form, or the API's Idempotency-Key header),
and says whether the e-mail to the buyer is still being sent or was sent."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("support", "0008_mailbox_passwords_encrypted"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="delivery",
            field=models.CharField(blank=True, choices=[("sending", "Sending"), ("sent", "Sent")], default="",
                                   editable=False, max_length=8, verbose_name="delivery"),
        ),
        migrations.AddField(
            model_name="message",
            name="idempotency_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=64,
                                   verbose_name="idempotency key"),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(condition=models.Q(("idempotency_key", ""), _negated=True),
                                               fields=("thread", "idempotency_key"),
                                               name="message_unique_thread_idempotency_key"),
        ),
    ]
