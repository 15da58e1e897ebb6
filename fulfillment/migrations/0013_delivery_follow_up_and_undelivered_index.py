"""What the seller did about a delivery at risk, and the partial index the at-risk queue reads.

On SQLite, adding the columns rebuilds ``fulfillment_shipment``, which the triggers of migration 0005 are on and
name: they are dropped for the rebuild and installed again after it, as in 0006 and 0011.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_sqlite_only = importlib.import_module("fulfillment.migrations.0011_carrier_events")._on_sqlite
_triggers = importlib.import_module("fulfillment.migrations.0005_order_copies_and_triggers")


class Migration(migrations.Migration):

    dependencies = [
        ('fulfillment', '0012_carrier_traces_and_replacements'),
        ('orders', '0006_item_amounts_cancelled_lines_buyer_cancel_request'),
        ('sellerops', '0010_profile_store'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_sqlite_only(_triggers.SQLITE_REVERSE), _sqlite_only(_triggers.SQLITE)),
        migrations.AddField(
            model_name='shipment',
            name='follow_up',
            field=models.CharField(blank=True, choices=[('buyer_messaged', 'Buyer told'), ('trace', 'Carrier trace filed'), ('replacement', 'Replacement sent')], max_length=16, verbose_name='follow-up'),
        ),
        migrations.AddField(
            model_name='shipment',
            name='follow_up_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='followed up at'),
        ),
        migrations.AddField(
            model_name='shipment',
            name='follow_up_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='followed up by'),
        ),
        migrations.RunPython(_sqlite_only(_triggers.SQLITE), _sqlite_only(_triggers.SQLITE_REVERSE)),
        migrations.AddIndex(
            model_name='shipment',
            index=models.Index(condition=models.Q(('delivered_at__isnull', True), ('order_fulfillment_channel', 'MFN'), models.Q(('tracking_number', ''), _negated=True)), fields=['store', 'shipped_at'], include=('order', 'carrier', 'first_scan_at', 'last_event_at', 'last_event_status', 'order_latest_delivery_date', 'follow_up_at'), name='shipment_undelivered'),
        ),
    ]
