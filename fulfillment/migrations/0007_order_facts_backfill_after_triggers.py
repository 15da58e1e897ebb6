"""The order facts of migration 0005 backfilled again, now that their triggers exist.

Migration 0005 first ran its backfill before it created the triggers: an order saved between the two (from an
instance read before the backfill) could write its old first ship confirmation back, or change its channel or
deliver-by date without its shipments following, and nothing would correct it. 0005 now installs the triggers
first, which fixes new databases; a database migrated before that may hold such rows, so they are rewritten
here. Only rows whose stored facts differ from their source rows are written, while the triggers keep every
concurrent write right. A database other than PostgreSQL and SQLite is refused (one that ran 0005 before 0005
refused it has no triggers at all).
"""

from django.db import migrations

from fulfillment.order_facts import order_facts_vendor_check

# ``{differs}`` is PostgreSQL's ``IS DISTINCT FROM``, SQLite's ``IS NOT``: NULL on one side only differs.
SHIPMENTS = """
    UPDATE fulfillment_shipment
       SET order_fulfillment_channel = (SELECT o.fulfillment_channel FROM orders_order o
                                         WHERE o.id = fulfillment_shipment.order_id),
           order_latest_delivery_date = (SELECT o.latest_delivery_date FROM orders_order o
                                          WHERE o.id = fulfillment_shipment.order_id)
     WHERE id IN (SELECT s.id FROM fulfillment_shipment s JOIN orders_order o ON o.id = s.order_id
                   WHERE s.order_fulfillment_channel {differs} o.fulfillment_channel
                      OR s.order_latest_delivery_date {differs} o.latest_delivery_date)
"""
_FIRST_SHIPPED = "(SELECT min(s.shipped_at) FROM fulfillment_shipment s WHERE s.order_id = orders_order.id)"
ORDERS = f"""
    UPDATE orders_order SET first_shipped_at = {_FIRST_SHIPPED}
     WHERE first_shipped_at {{differs}} {_FIRST_SHIPPED}
"""
DIFFERS = {"postgresql": "IS DISTINCT FROM", "sqlite": "IS NOT"}


def backfill_drifted(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    order_facts_vendor_check(vendor)
    with schema_editor.connection.cursor() as cursor:
        for sql in (SHIPMENTS, ORDERS):
            cursor.execute(sql.format(differs=DIFFERS[vendor]))


class Migration(migrations.Migration):

    dependencies = [
        ('fulfillment', '0006_amazon_shipments'),
    ]

    operations = [
        migrations.RunPython(backfill_drifted, migrations.RunPython.noop),
    ]
