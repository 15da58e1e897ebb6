"""Order facts the metrics read beside each row, kept by database triggers whoever writes the rows.

``orders_order.first_shipped_at`` is the earliest ``shipped_at`` of the order's shipments;
``fulfillment_shipment.order_fulfillment_channel`` and ``order_latest_delivery_date`` copy the order's.
Triggers, not Python, keep them: shipments are written by services, report imports, the demo generator's
``COPY`` and tests alike, and a model ``save()`` holding an old value is corrected as it writes.

The triggers are installed before the backfill, so a write that commits while the migration runs cannot be
missed: on PostgreSQL, creating the triggers locks the tables against writes until the migration commits, so
each write either committed before it (and the backfill, which runs next, sees it) or waits and then fires
the triggers. (Until this order was fixed the backfill ran first; databases migrated then are checked and
repaired by migration 0007.) A database other than PostgreSQL and SQLite is refused before anything is
changed: nothing would keep its facts (``fulfillment.order_facts``, which also says why django-pgtrigger is
not used).
"""

from django.db import migrations, models

from fulfillment.order_facts import order_facts_vendor_check

POSTGRESQL = [
    # Shipments take their order's channel and deliver-by date as they are written.
    """
    CREATE FUNCTION shipment_copy_order_fields() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT o.fulfillment_channel, o.latest_delivery_date
          INTO NEW.order_fulfillment_channel, NEW.order_latest_delivery_date
          FROM orders_order o WHERE o.id = NEW.order_id;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER shipment_copy_order_fields BEFORE INSERT OR UPDATE ON fulfillment_shipment
    FOR EACH ROW EXECUTE FUNCTION shipment_copy_order_fields()
    """,
    # An order's new channel or deliver-by date reaches its shipments.
    """
    CREATE FUNCTION order_copy_to_shipments() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE fulfillment_shipment
           SET order_fulfillment_channel = NEW.fulfillment_channel,
               order_latest_delivery_date = NEW.latest_delivery_date
         WHERE order_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER order_copy_to_shipments AFTER UPDATE ON orders_order FOR EACH ROW
    WHEN (OLD.fulfillment_channel IS DISTINCT FROM NEW.fulfillment_channel
          OR OLD.latest_delivery_date IS DISTINCT FROM NEW.latest_delivery_date)
    EXECUTE FUNCTION order_copy_to_shipments()
    """,
    # Written shipments refresh their orders' first ship confirmation, once per statement (a COPY of
    # thousands of shipments updates each order once).
    """
    CREATE FUNCTION shipments_refresh_first_shipped() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            UPDATE orders_order o
               SET first_shipped_at = (SELECT min(s.shipped_at) FROM fulfillment_shipment s WHERE s.order_id = o.id)
             WHERE o.id IN (SELECT DISTINCT order_id FROM old_shipments);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            UPDATE orders_order o
               SET first_shipped_at = (SELECT min(s.shipped_at) FROM fulfillment_shipment s WHERE s.order_id = o.id)
             WHERE o.id IN (SELECT DISTINCT order_id FROM new_shipments);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER shipments_inserted AFTER INSERT ON fulfillment_shipment
    REFERENCING NEW TABLE AS new_shipments
    FOR EACH STATEMENT EXECUTE FUNCTION shipments_refresh_first_shipped()
    """,
    """
    CREATE TRIGGER shipments_updated AFTER UPDATE ON fulfillment_shipment
    REFERENCING OLD TABLE AS old_shipments NEW TABLE AS new_shipments
    FOR EACH STATEMENT EXECUTE FUNCTION shipments_refresh_first_shipped()
    """,
    """
    CREATE TRIGGER shipments_deleted AFTER DELETE ON fulfillment_shipment
    REFERENCING OLD TABLE AS old_shipments
    FOR EACH STATEMENT EXECUTE FUNCTION shipments_refresh_first_shipped()
    """,
    # An order saved with an old first_shipped_at (a model instance read before a shipment) is corrected.
    """
    CREATE FUNCTION order_keep_first_shipped() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.first_shipped_at := (SELECT min(s.shipped_at) FROM fulfillment_shipment s WHERE s.order_id = NEW.id);
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER order_keep_first_shipped BEFORE UPDATE ON orders_order FOR EACH ROW
    WHEN (OLD.first_shipped_at IS DISTINCT FROM NEW.first_shipped_at)
    EXECUTE FUNCTION order_keep_first_shipped()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER order_keep_first_shipped ON orders_order",
    "DROP FUNCTION order_keep_first_shipped()",
    "DROP TRIGGER shipments_deleted ON fulfillment_shipment",
    "DROP TRIGGER shipments_updated ON fulfillment_shipment",
    "DROP TRIGGER shipments_inserted ON fulfillment_shipment",
    "DROP FUNCTION shipments_refresh_first_shipped()",
    "DROP TRIGGER order_copy_to_shipments ON orders_order",
    "DROP FUNCTION order_copy_to_shipments()",
    "DROP TRIGGER shipment_copy_order_fields ON fulfillment_shipment",
    "DROP FUNCTION shipment_copy_order_fields()",
]

_FIRST_SHIPPED = "(SELECT min(s.shipped_at) FROM fulfillment_shipment s WHERE s.order_id = {order})"
_COPY_FROM_ORDER = """
    UPDATE fulfillment_shipment
       SET order_fulfillment_channel = (SELECT fulfillment_channel FROM orders_order WHERE id = NEW.order_id),
           order_latest_delivery_date = (SELECT latest_delivery_date FROM orders_order WHERE id = NEW.order_id)
     WHERE id = NEW.id;
"""
_REFRESH_ORDER = "UPDATE orders_order SET first_shipped_at = " + _FIRST_SHIPPED.format(order="{order}") + \
    " WHERE id = {order};"
# SQLite: row triggers after the write (a trigger does not fire itself again, SQLite's default).
SQLITE = [
    f"""
    CREATE TRIGGER shipment_inserted AFTER INSERT ON fulfillment_shipment BEGIN
        {_COPY_FROM_ORDER}
        {_REFRESH_ORDER.format(order="NEW.order_id")}
    END
    """,
    f"""
    CREATE TRIGGER shipment_updated AFTER UPDATE ON fulfillment_shipment BEGIN
        {_COPY_FROM_ORDER}
        {_REFRESH_ORDER.format(order="OLD.order_id")}
        {_REFRESH_ORDER.format(order="NEW.order_id")}
    END
    """,
    f"""
    CREATE TRIGGER shipment_deleted AFTER DELETE ON fulfillment_shipment BEGIN
        {_REFRESH_ORDER.format(order="OLD.order_id")}
    END
    """,
    f"""
    CREATE TRIGGER order_updated AFTER UPDATE ON orders_order BEGIN
        UPDATE orders_order SET first_shipped_at = {_FIRST_SHIPPED.format(order="NEW.id")}
         WHERE id = NEW.id AND first_shipped_at IS NOT {_FIRST_SHIPPED.format(order="NEW.id")};
        UPDATE fulfillment_shipment
           SET order_fulfillment_channel = NEW.fulfillment_channel,
               order_latest_delivery_date = NEW.latest_delivery_date
         WHERE order_id = NEW.id AND (order_fulfillment_channel IS NOT NEW.fulfillment_channel
                                      OR order_latest_delivery_date IS NOT NEW.latest_delivery_date);
    END
    """,
]
SQLITE_REVERSE = [f"DROP TRIGGER {name}" for name in
                  ("order_updated", "shipment_deleted", "shipment_updated", "shipment_inserted")]

BACKFILL = [
    """
    UPDATE fulfillment_shipment
       SET order_fulfillment_channel = (SELECT fulfillment_channel FROM orders_order o WHERE o.id = order_id),
           order_latest_delivery_date = (SELECT latest_delivery_date FROM orders_order o WHERE o.id = order_id)
    """,
    "UPDATE orders_order SET first_shipped_at = " + _FIRST_SHIPPED.format(order="orders_order.id")
    + " WHERE id IN (SELECT order_id FROM fulfillment_shipment)",
]


def _run(statements):
    def run(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for sql in statements(schema_editor.connection.vendor):
                cursor.execute(sql)
    return run


def refuse_unsupported_database(apps, schema_editor):
    order_facts_vendor_check(schema_editor.connection.vendor)


def _install(vendor):
    # Triggers first, then the backfill (see the docstring).
    return {"postgresql": POSTGRESQL, "sqlite": SQLITE}[vendor] + BACKFILL


def _remove(vendor):
    # Nothing was installed on a database refused going forwards.
    return {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}.get(vendor, [])


class Migration(migrations.Migration):

    dependencies = [
        ('fulfillment', '0004_tracking_search_index'),
        ('orders', '0005_first_shipped_at'),
    ]

    operations = [
        migrations.RunPython(refuse_unsupported_database, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='shipment',
            name='shipment_store_shipped',
        ),
        migrations.AddField(
            model_name='shipment',
            name='order_fulfillment_channel',
            field=models.CharField(blank=True, editable=False, max_length=3, verbose_name="order's fulfilment channel"),
        ),
        migrations.AddField(
            model_name='shipment',
            name='order_latest_delivery_date',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="order's deliver-by date"),
        ),
        migrations.RunPython(_run(_install), _run(_remove)),
        migrations.AddIndex(
            model_name='shipment',
            index=models.Index(fields=['store', 'order_fulfillment_channel', 'shipped_at'], include=('first_scan_at',),
                               name='shipment_metric_shipped'),
        ),
        migrations.AddIndex(
            model_name='shipment',
            index=models.Index(fields=['store', 'order_fulfillment_channel', 'order_latest_delivery_date'],
                               include=('first_scan_at', 'delivered_at'), name='shipment_metric_deliverby'),
        ),
    ]
