"""The import and SP-API models move to apps of their own (``imports``, ``spapi``); no table changes."""

from django.db import migrations


#: Celery task names that changed with the tasks' modules: owed tasks recorded under the old name keep running.
RENAMED_TASKS = {
    "sellerops.tasks.import_run_task": "imports.tasks.import_run_task",
}


def deferred_tasks_rename(apps, schema_editor, renames=RENAMED_TASKS):
    DeferredTask = apps.get_model("sellerops", "DeferredTask")
    for old, new in renames.items():
        DeferredTask.objects.filter(task=old).update(task=new)


def deferred_tasks_rename_back(apps, schema_editor):
    deferred_tasks_rename(apps, schema_editor, {new: old for old, new in RENAMED_TASKS.items()})

class Migration(migrations.Migration):

    dependencies = [
        ('sellerops', '0007_importjob_fba_kinds'),
    ]

    operations = [
        migrations.RunPython(deferred_tasks_rename, deferred_tasks_rename_back),
        # The tables stay where they are: only Django's record of which app holds the models moves.
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.RemoveField(
                    model_name='importpreviewline',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='sellercredentials',
                    name='store',
                ),
                migrations.RemoveField(
                    model_name='sellerperformancereport',
                    name='store',
                ),
                migrations.DeleteModel(
                    name='ImportJob',
                ),
                migrations.DeleteModel(
                    name='ImportPreviewLine',
                ),
                migrations.DeleteModel(
                    name='SellerCredentials',
                ),
                migrations.DeleteModel(
                    name='SellerPerformanceReport',
                ),
        ]),
    ]
