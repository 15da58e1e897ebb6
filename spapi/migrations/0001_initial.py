"""The spapi models, until now recorded in the core (label ``sellerops``): their tables keep their names."""

import core.crypto
import django.db.models.deletion
from django.db import migrations, models


def content_types_move(apps, schema_editor, source="sellerops", target="spapi"):
    """Keep the content types (and so the permissions granted on them) of the models that change app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=source, model__in=['sellercredentials', 'sellerperformancereport']).update(app_label=target)


def content_types_move_back(apps, schema_editor):
    content_types_move(apps, schema_editor, source="spapi", target="sellerops")

class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('sellerops', '0008_move_imports_and_spapi_out'),
    ]

    operations = [
        migrations.RunPython(content_types_move, content_types_move_back),
        # The tables stay where they are: only Django's record of which app holds the models moves.
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='SellerCredentials',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('refresh_token', core.crypto.EncryptedTextField(verbose_name='refresh token')),
                        ('lwa_client_id', core.crypto.EncryptedTextField(verbose_name='LWA client id')),
                        ('lwa_client_secret', core.crypto.EncryptedTextField(verbose_name='LWA client secret')),
                        ('is_active', models.BooleanField(default=True, verbose_name='sync enabled')),
                        ('last_synced_at', models.DateTimeField(blank=True, help_text='Orders updated after this time are pulled on the next sync.', null=True, verbose_name='orders synced up to')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('last_error_at', models.DateTimeField(blank=True, null=True, verbose_name='last error at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('store', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='spapi_credentials', to='sellerops.store')),
                    ],
                    options={
                        'verbose_name': 'SP-API credentials',
                        'verbose_name_plural': 'SP-API credentials',
                        'db_table': 'sellerops_sellercredentials',
                    },
                ),
                migrations.CreateModel(
                    name='SellerPerformanceReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('fetched_at', models.DateTimeField(verbose_name='fetched at')),
                        ('report_id', models.CharField(max_length=64, verbose_name='report id')),
                        ('report_document_id', models.CharField(blank=True, max_length=200, verbose_name='report document id')),
                        ('marketplace_id', models.CharField(blank=True, max_length=20, verbose_name='marketplace id')),
                        ('account_status', models.CharField(blank=True, max_length=32, verbose_name='account status')),
                        ('raw', models.JSONField(default=dict, verbose_name='report document')),
                        ('afn_date_from', models.DateTimeField(blank=True, null=True, verbose_name='AFN window from')),
                        ('afn_date_to', models.DateTimeField(blank=True, null=True, verbose_name='AFN window to')),
                        ('afn_order_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='AFN orders')),
                        ('afn_orders_with_defects', models.PositiveIntegerField(blank=True, null=True, verbose_name='AFN orders with defects')),
                        ('afn_claims', models.PositiveIntegerField(blank=True, null=True, verbose_name='AFN A-to-z claims')),
                        ('afn_chargebacks', models.PositiveIntegerField(blank=True, null=True, verbose_name='AFN chargebacks')),
                        ('afn_negative_feedback', models.PositiveIntegerField(blank=True, null=True, verbose_name='AFN negative feedback')),
                        ('afn_rate', models.DecimalField(blank=True, decimal_places=8, max_digits=12, null=True, verbose_name='AFN ODR')),
                        ('afn_target_value', models.DecimalField(blank=True, decimal_places=8, max_digits=12, null=True, verbose_name='AFN ODR target')),
                        ('mfn_date_from', models.DateTimeField(blank=True, null=True, verbose_name='MFN window from')),
                        ('mfn_date_to', models.DateTimeField(blank=True, null=True, verbose_name='MFN window to')),
                        ('mfn_order_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='MFN orders')),
                        ('mfn_orders_with_defects', models.PositiveIntegerField(blank=True, null=True, verbose_name='MFN orders with defects')),
                        ('mfn_claims', models.PositiveIntegerField(blank=True, null=True, verbose_name='MFN A-to-z claims')),
                        ('mfn_chargebacks', models.PositiveIntegerField(blank=True, null=True, verbose_name='MFN chargebacks')),
                        ('mfn_negative_feedback', models.PositiveIntegerField(blank=True, null=True, verbose_name='MFN negative feedback')),
                        ('mfn_rate', models.DecimalField(blank=True, decimal_places=8, max_digits=12, null=True, verbose_name='MFN ODR')),
                        ('mfn_target_value', models.DecimalField(blank=True, decimal_places=8, max_digits=12, null=True, verbose_name='MFN ODR target')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='performance_reports', to='sellerops.store')),
                    ],
                    options={
                        'verbose_name': 'seller-performance report',
                        'verbose_name_plural': 'seller-performance reports',
                        'db_table': 'sellerops_sellerperformancereport',
                        'ordering': ['-fetched_at', '-id'],
                        'indexes': [models.Index(fields=['store', '-fetched_at'], name='perfreport_store_fetched')],
                        'constraints': [models.UniqueConstraint(fields=('store', 'report_id'), name='perfreport_unique_store_report')],
                    },
                ),
        ]),
    ]
