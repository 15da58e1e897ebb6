from django.db import migrations

#: The shared template the deliveries at risk open, in every language of ``support.reply_templates``.
NAME = "Delivery at risk"


def add_template(apps, schema_editor):
    from support.reply_templates import DEFAULT_TEMPLATES

    ReplyTemplate = apps.get_model("support", "ReplyTemplate")
    for language, body in DEFAULT_TEMPLATES[NAME].items():
        if not ReplyTemplate.objects.filter(store=None, name=NAME, language=language).exists():
            ReplyTemplate.objects.create(store=None, name=NAME, language=language, body=body)


def remove_template(apps, schema_editor):
    ReplyTemplate = apps.get_model("support", "ReplyTemplate")
    ReplyTemplate.objects.filter(store=None, name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("support", "0010_claim_response")]

    operations = [migrations.RunPython(add_template, remove_template)]
