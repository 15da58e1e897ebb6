"""Every management command of the project answers --help (a lazy string in a help text breaks argparse)."""

import pytest
from django.core.management import get_commands, load_command_class

PROJECT_APPS = {"core", "listings", "orders", "fulfillment", "returns", "support", "metrics", "imports", "spapi",
                "demo"}
COMMANDS = sorted((name, app) for name, app in get_commands().items() if app in PROJECT_APPS)


def test_the_project_has_its_commands():
    assert {"seed_demo", "recompute_metrics", "import_report"} <= {name for name, _ in COMMANDS}


@pytest.mark.parametrize(("name", "app"), COMMANDS)
def test_help_renders(name, app):
    parser = load_command_class(app, name).create_parser("manage.py", name)
    assert name in parser.format_help()
