"""Messages say whether they are a person's words or one of Amazon's notices; the relay's full text is kept.

Mail already stored from Amazon's own system senders (``donotreply@amazon.com``…) was taken for buyer
messages: it becomes an Amazon notice that needs no reply, and a thread that took such a sender for its buyer
forgets that address, so nothing can be sent to it.
"""

import re

from django.db import migrations, models

_AMAZON = r"(?:^|\.)amazon\.(?:com|co\.[a-z]{2}|com\.[a-z]{2}|[a-z]{2})$"
_RELAY = r"(?:^|\.)marketplace\.amazon\.(?:com|co\.[a-z]{2}|com\.[a-z]{2}|[a-z]{2})$"
_SYSTEM_LOCAL_PARTS = {
    "donotreply", "do-not-reply", "no-reply", "noreply", "seller-notification", "seller-notifications",
    "atoz-guarantee-no-reply", "auto-communication", "auto-communicator", "auto-confirm", "notification",
    "notifications", "payments-messages", "returns", "marketplace-messages",
}


def _is_system(address: str) -> bool:
    local, _, domain = (address or "").strip().lower().rpartition("@")
    if not local or not re.search(_AMAZON, domain):
        return False
    return not re.search(_RELAY, domain) or local in _SYSTEM_LOCAL_PARTS


def amazon_senders_are_notices(apps, schema_editor):
    Message = apps.get_model("support", "Message")
    MessageThread = apps.get_model("support", "MessageThread")
    senders = (Message.objects.filter(direction="inbound", sender__icontains="amazon.")
               .values_list("sender", flat=True).distinct())
    system = [s for s in senders if _is_system(s)]
    if system:
        Message.objects.filter(direction="inbound", sender__in=system).update(kind="amazon_notice",
                                                                             needs_reply=False)
    addresses = (MessageThread.objects.filter(buyer_email__icontains="amazon.")
                 .values_list("buyer_email", flat=True).distinct())
    system = [a for a in addresses if _is_system(a)]
    if system:
        MessageThread.objects.filter(buyer_email__in=system).update(buyer_email="")


class Migration(migrations.Migration):

    dependencies = [
        ('support', '0006_thread_store_language'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='full_text',
            field=models.TextField(blank=True, help_text="The mail's whole text when the body shows only the buyer's words out of Amazon's template.", verbose_name='whole e-mail text'),
        ),
        migrations.AddField(
            model_name='message',
            name='kind',
            field=models.CharField(choices=[('message', 'Message'), ('cancel_request', 'Cancellation request'), ('a_to_z_claim', 'A-to-z Guarantee claim notice'), ('return_request', 'Return request'), ('feedback', 'Feedback notice'), ('amazon_notice', 'Amazon notice')], default='message', max_length=16, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='message',
            name='outcome',
            field=models.CharField(blank=True, choices=[('', 'Nothing'), ('order_marked', 'Marked on the order'), ('order_already_marked', 'The order was already marked'), ('claim_opened', 'Claim opened'), ('claim_updated', 'Open claim updated'), ('claim_exists', 'Claim already recorded'), ('claim_closed', 'Claim closed by Amazon'), ('return_opened', 'Return opened'), ('return_authorized', 'Return opened and authorised'), ('return_exists', 'Return already open'), ('return_incomplete', 'The notice names no SKU or quantity'), ('refused', 'Not recorded'), ('order_unknown', 'Order not in SellerOps'), ('recorded', 'Recorded')], max_length=20, verbose_name='what was done'),
        ),
        migrations.AddField(
            model_name='message',
            name='outcome_detail',
            field=models.CharField(blank=True, max_length=500, verbose_name='details of what was done'),
        ),
        migrations.RunPython(amazon_senders_are_notices, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='message',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'message'), ('needs_reply', False), _connector='OR'), name='message_notice_needs_no_reply'),
        ),
    ]
