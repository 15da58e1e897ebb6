"""Carrier events of a shipment, and its latest event's time and status kept on it.

On SQLite, adding columns rebuilds ``fulfillment_shipment``, which the triggers of migration 0005 are on and
name: they are dropped for the rebuild and installed again after it, as in 0006 (PostgreSQL alters in place).
"""

import importlib

import django.db.models.deletion
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
        ('fulfillment', '0010_fba_store_day'),
        ('sellerops', '0010_profile_store'),
    ]

    operations = [
        migrations.RunPython(_on_sqlite(_triggers.SQLITE_REVERSE), _on_sqlite(_triggers.SQLITE)),
        migrations.AddField(
            model_name='shipment',
            name='last_event_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='last carrier event'),
        ),
        migrations.AddField(
            model_name='shipment',
            name='last_event_status',
            field=models.CharField(blank=True, choices=[('label_created', 'Label created'), ('in_transit', 'In transit'), ('out_for_delivery', 'Out for delivery'), ('attempted', 'Delivery attempted'), ('pickup', 'Waiting for pickup'), ('delivered', 'Delivered'), ('exception', 'Exception'), ('address_problem', 'Address problem'), ('returned', 'Returned to sender'), ('lost', 'Lost')], max_length=20, verbose_name='last carrier status'),
        ),
        migrations.RunPython(_on_sqlite(_triggers.SQLITE), _on_sqlite(_triggers.SQLITE_REVERSE)),
        migrations.CreateModel(
            name='CarrierEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(verbose_name='at')),
                ('status', models.CharField(choices=[('label_created', 'Label created'), ('in_transit', 'In transit'), ('out_for_delivery', 'Out for delivery'), ('attempted', 'Delivery attempted'), ('pickup', 'Waiting for pickup'), ('delivered', 'Delivered'), ('exception', 'Exception'), ('address_problem', 'Address problem'), ('returned', 'Returned to sender'), ('lost', 'Lost')], max_length=20, verbose_name='status')),
                ('description', models.CharField(blank=True, max_length=300, verbose_name='description')),
                ('location', models.CharField(blank=True, max_length=120, verbose_name='location')),
                ('source', models.CharField(blank=True, help_text='import, api, ui, sync or demo', max_length=20, verbose_name='source')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded')),
                ('shipment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='carrier_events', to='fulfillment.shipment')),
                ('store', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sellerops.store')),
            ],
            options={
                'verbose_name': 'carrier event',
                'verbose_name_plural': 'carrier events',
                'ordering': ['at', 'id'],
                'constraints': [models.UniqueConstraint(fields=('shipment', 'at', 'status'), name='carrierevent_unique')],
            },
        ),
    ]
