# Imports gain carrier tracking-events files.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0005_job_runner'),
    ]

    operations = [
        migrations.AlterField(
            model_name='importjob',
            name='kind',
            field=models.CharField(choices=[('all_orders', 'All Orders report'), ('unshipped_orders', 'Unshipped orders report'), ('ship_confirm', 'Shipping confirmation file'), ('feedback', 'Seller feedback report'), ('returns', 'Seller-fulfilled returns report'), ('fba_returns', 'FBA customer returns report'), ('afn_shipments', 'Amazon-fulfilled shipments report'), ('all_listings', 'All Listings report'), ('fba_inventory', 'FBA Manage Inventory report'), ('fba_planning', 'FBA Inventory Planning report'), ('fba_stranded', 'Stranded Inventory report'), ('fba_reserved', 'Reserved Inventory report'), ('tracking_events', 'Carrier tracking events file')], max_length=20, verbose_name='kind'),
        ),
    ]
