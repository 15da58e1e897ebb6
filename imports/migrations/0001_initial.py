"""The imports models, until now recorded in the core (label ``sellerops``): their tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_types_move(apps, schema_editor, source="sellerops", target="imports"):
    """Keep the content types (and so the permissions granted on them) of the models that change app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=source, model__in=['importjob', 'importpreviewline']).update(app_label=target)


def content_types_move_back(apps, schema_editor):
    content_types_move(apps, schema_editor, source="imports", target="sellerops")

class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('sellerops', '0008_move_imports_and_spapi_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(content_types_move, content_types_move_back),
        # The tables stay where they are: only Django's record of which app holds the models moves.
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('all_orders', 'All Orders report'), ('unshipped_orders', 'Unshipped orders report'), ('ship_confirm', 'Shipping confirmation file'), ('feedback', 'Seller feedback report'), ('returns', 'Seller-fulfilled returns report'), ('fba_returns', 'FBA customer returns report'), ('afn_shipments', 'Amazon-fulfilled shipments report')], max_length=20, verbose_name='kind')),
                        ('file', models.FileField(upload_to='imports/%Y/%m/', verbose_name='file')),
                        ('file_name', models.CharField(blank=True, max_length=255, verbose_name='file name')),
                        ('encoding', models.CharField(blank=True, help_text='Empty: detected from the file and the marketplace.', max_length=20, verbose_name='encoding')),
                        ('status', models.CharField(choices=[('preview', 'Preview'), ('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=8, verbose_name='status')),
                        ('total_rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('processed_rows', models.PositiveIntegerField(default=0, verbose_name='rows processed')),
                        ('created_count', models.PositiveIntegerField(default=0, verbose_name='created')),
                        ('updated_count', models.PositiveIntegerField(default=0, verbose_name='updated')),
                        ('skipped_count', models.PositiveIntegerField(default=0, verbose_name='skipped')),
                        ('errors', models.JSONField(blank=True, default=list, help_text='One entry per problem: line, column, message.', verbose_name='errors')),
                        ('warnings', models.JSONField(blank=True, default=list, verbose_name='warnings')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('alive_until', models.DateTimeField(blank=True, help_text='Renewed by the worker while it imports or previews the file; once past, the job has lost its worker and fails.', null=True, verbose_name='worker alive until')),
                        ('preview', models.JSONField(blank=True, help_text='What the dry run of a previewed file found, once it has run.', null=True, verbose_name='preview summary')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='import_jobs', to='sellerops.store')),
                    ],
                    options={
                        'verbose_name': 'import',
                        'verbose_name_plural': 'imports',
                        'db_table': 'sellerops_importjob',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ImportPreviewLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('line', models.PositiveIntegerField(verbose_name='line')),
                        ('order_id', models.CharField(blank=True, max_length=200, verbose_name='order')),
                        ('carrier', models.CharField(blank=True, max_length=400, verbose_name='carrier')),
                        ('tracking_number', models.CharField(blank=True, max_length=200, verbose_name='tracking number')),
                        ('ship_date', models.CharField(blank=True, max_length=200, verbose_name='ship date')),
                        ('outcome', models.CharField(choices=[('ship', 'Ships'), ('skip', 'Skipped'), ('error', 'Error')], max_length=5, verbose_name='outcome')),
                        ('message', models.TextField(blank=True, verbose_name='message')),
                        ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                        ('warnings', models.JSONField(blank=True, default=list, verbose_name='warnings')),
                        ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='preview_lines', to='imports.importjob')),
                    ],
                    options={
                        'verbose_name': 'preview line',
                        'verbose_name_plural': 'preview lines',
                        'db_table': 'sellerops_importpreviewline',
                        'ordering': ['job', 'line'],
                    },
                ),
                migrations.AddIndex(
                    model_name='importjob',
                    index=models.Index(fields=['store', '-created_at'], name='importjob_store_created'),
                ),
                migrations.AddIndex(
                    model_name='importpreviewline',
                    index=models.Index(fields=['job', 'outcome', 'line'], name='importpreviewline_outcome'),
                ),
                migrations.AddConstraint(
                    model_name='importpreviewline',
                    constraint=models.UniqueConstraint(fields=('job', 'line'), name='importpreviewline_job_line'),
                ),
        ]),
    ]
