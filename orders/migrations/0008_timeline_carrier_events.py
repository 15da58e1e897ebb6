# The order timeline gains carrier events (a delivery or trouble its carrier reported).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0007_timeline_traces_and_replacements'),
    ]

    operations = [
        migrations.AlterField(
            model_name='orderevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Created'), ('status', 'Status changed'), ('shipment', 'Shipment confirmed'), ('cancel', 'Cancelled'), ('cancel_request', 'Buyer asked to cancel'), ('note', 'Note'), ('return', 'Return'), ('message', 'Message'), ('import', 'Imported'), ('trace', 'Carrier trace'), ('replacement', 'Replacement sent'), ('carrier', 'Carrier event')], max_length=16, verbose_name='kind'),
        ),
    ]
