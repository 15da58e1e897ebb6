"""Carrier traces, and a shipment sent as the replacement of a lost one (left out of the shipment metrics' indexes).

On SQLite, adding the column rebuilds ``fulfillment_shipment``, which the triggers of migration 0005 are on and
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
        ('fulfillment', '0011_carrier_events'),
        ('sellerops', '0010_profile_store'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CarrierTrace',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('filed_at', models.DateTimeField(verbose_name='filed at')),
                ('reference', models.CharField(blank=True, max_length=80, verbose_name="carrier's reference")),
                ('status', models.CharField(choices=[('open', 'Open'), ('found', 'Found'), ('lost', 'Lost'), ('closed', 'Closed')], default='open', max_length=8, verbose_name='status')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='carrier answered at')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded')),
            ],
            options={
                'verbose_name': 'carrier trace',
                'verbose_name_plural': 'carrier traces',
                'ordering': ['-filed_at', '-id'],
            },
        ),
        migrations.RemoveIndex(
            model_name='shipment',
            name='shipment_metric_shipped',
        ),
        migrations.RemoveIndex(
            model_name='shipment',
            name='shipment_metric_deliverby',
        ),
        migrations.RunPython(_sqlite_only(_triggers.SQLITE_REVERSE), _sqlite_only(_triggers.SQLITE)),
        migrations.AddField(
            model_name='shipment',
            name='replacement_of',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='replacement', to='fulfillment.shipment', verbose_name='replacement of'),
        ),
        migrations.RunPython(_sqlite_only(_triggers.SQLITE), _sqlite_only(_triggers.SQLITE_REVERSE)),
        migrations.AddIndex(
            model_name='shipment',
            index=models.Index(condition=models.Q(('replacement_of__isnull', True)), fields=['store', 'order_fulfillment_channel', 'shipped_at'], include=('first_scan_at',), name='shipment_metric_shipped'),
        ),
        migrations.AddIndex(
            model_name='shipment',
            index=models.Index(condition=models.Q(('replacement_of__isnull', True)), fields=['store', 'order_fulfillment_channel', 'order_latest_delivery_date'], include=('first_scan_at', 'delivered_at'), name='shipment_metric_deliverby'),
        ),
        migrations.AddField(
            model_name='carriertrace',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='filed by'),
        ),
        migrations.AddField(
            model_name='carriertrace',
            name='shipment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='traces', to='fulfillment.shipment', verbose_name='shipment'),
        ),
        migrations.AddField(
            model_name='carriertrace',
            name='store',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sellerops.store'),
        ),
        migrations.AddIndex(
            model_name='carriertrace',
            index=models.Index(fields=['store', 'status', 'filed_at'], name='carriertrace_store_status'),
        ),
        migrations.AddConstraint(
            model_name='carriertrace',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('shipment',), name='carriertrace_one_open_per_shipment'),
        ),
    ]
