from django.db import migrations

from support.reply_templates import DEFAULT_TEMPLATES


def add_templates(apps, schema_editor):
    ReplyTemplate = apps.get_model("support", "ReplyTemplate")
    for name, bodies in DEFAULT_TEMPLATES.items():
        for language, body in bodies.items():
            if not ReplyTemplate.objects.filter(store=None, name=name, language=language).exists():
                ReplyTemplate.objects.create(store=None, name=name, language=language, body=body)


def remove_templates(apps, schema_editor):
    ReplyTemplate = apps.get_model("support", "ReplyTemplate")
    ReplyTemplate.objects.filter(store=None, name__in=list(DEFAULT_TEMPLATES)).delete()


class Migration(migrations.Migration):
    dependencies = [("support", "0002_mailbox_attachment")]

    operations = [migrations.RunPython(add_templates, remove_templates)]
