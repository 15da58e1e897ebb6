"""Shipments keep Amazon's own shipment id, fulfilment centre and estimated arrival (FBA orders' shipments,
from the Amazon-fulfilled shipments report); a report imported again finds them by that id.

On SQLite, adding columns with defaults rebuilds ``fulfillment_shipment``, which the triggers of migration 0005
are on and name: they are dropped for the rebuild and installed again after it (PostgreSQL alters the table in
place and keeps them).
"""

import importlib

from django.db import migrations, models

_triggers = importlib.import_module("fulfillment.migrations.0005_order_copies_and_triggers")


def _on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('fulfillment', '0005_order_copies_and_triggers'),
        ('orders', '0006_item_amounts_cancelled_lines_buyer_cancel_request'),
    ]

    operations = [
        migrations.RunPython(_on_sqlite(_triggers.SQLITE_REVERSE), _on_sqlite(_triggers.SQLITE)),
        migrations.AddField(
            model_name='shipment',
            name='amazon_shipment_id',
            field=models.CharField(blank=True, max_length=40, verbose_name='Amazon shipment id'),
        ),
        migrations.AddField(
            model_name='shipment',
            name='estimated_arrival_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='estimated arrival'),
        ),
        migrations.AddField(
            model_name='shipment',
            name='fulfillment_center_id',
            field=models.CharField(blank=True, max_length=16, verbose_name='fulfilment centre'),
        ),
        migrations.AddConstraint(
            model_name='shipment',
            constraint=models.UniqueConstraint(condition=models.Q(('amazon_shipment_id', ''), _negated=True),
                                               fields=('store', 'amazon_shipment_id', 'tracking_number'),
                                               name='shipment_unique_amazon_id'),
        ),
        migrations.RunPython(_on_sqlite(_triggers.SQLITE), _on_sqlite(_triggers.SQLITE_REVERSE)),
    ]
