"""Order lines keep Amazon's own amounts, currency and cancelled state; orders keep the buyer's cancel request.

On SQLite, adding columns with defaults rebuilds ``orders_order``, which the fulfilment triggers name: they are
dropped for the rebuild and installed again after it (PostgreSQL alters the table in place).
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
        ('listings', '0002_initial'),
        ('orders', '0005_first_shipped_at'),
        ('sellerops', '0005_deferredtask'),
        ('fulfillment', '0005_order_copies_and_triggers'),
    ]

    operations = [
        migrations.RunPython(_on_sqlite(_triggers.SQLITE_REVERSE), _on_sqlite(_triggers.SQLITE)),
        migrations.RemoveConstraint(
            model_name='orderitem',
            name='orderitem_quantity_gte_1',
        ),
        migrations.AddField(
            model_name='order',
            name='buyer_cancel_reason',
            field=models.CharField(blank=True, max_length=200, verbose_name="buyer's cancellation reason"),
        ),
        migrations.AddField(
            model_name='order',
            name='buyer_cancel_requested_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='buyer asked to cancel at'),
        ),
        migrations.AddField(
            model_name='orderitem',
            name='currency',
            field=models.CharField(blank=True, max_length=3, verbose_name='currency'),
        ),
        migrations.AddField(
            model_name='orderitem',
            name='gift_wrap_price',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='gift wrap price'),
        ),
        migrations.AddField(
            model_name='orderitem',
            name='gift_wrap_tax',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='gift wrap tax'),
        ),
        migrations.AddField(
            model_name='orderitem',
            name='is_canceled',
            field=models.BooleanField(default=False, verbose_name='line cancelled'),
        ),
        migrations.AddField(
            model_name='orderitem',
            name='item_tax',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='item tax'),
        ),
        migrations.AddField(
            model_name='orderitem',
            name='ship_promotion_discount',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='shipping promotion discount'),
        ),
        migrations.AddField(
            model_name='orderitem',
            name='shipping_tax',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='shipping tax'),
        ),
        migrations.AlterField(
            model_name='orderevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Created'), ('status', 'Status changed'), ('shipment', 'Shipment confirmed'), ('cancel', 'Cancelled'), ('cancel_request', 'Buyer asked to cancel'), ('note', 'Note'), ('return', 'Return'), ('message', 'Message'), ('import', 'Imported')], max_length=16, verbose_name='kind'),
        ),
        migrations.AddConstraint(
            model_name='orderitem',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 1), ('is_canceled', True), _connector='OR'), name='orderitem_quantity_gte_1_unless_canceled'),
        ),
        migrations.RunPython(_on_sqlite(_triggers.SQLITE), _on_sqlite(_triggers.SQLITE_REVERSE)),
    ]
