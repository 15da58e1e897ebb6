"""Form labels built per request, in the language of the request."""

import pytest
from django.utils import translation

from metrics.forms import AlertRuleForm

pytestmark = pytest.mark.django_db


def test_window_labels_follow_the_active_language():
    field = AlertRuleForm.base_fields["window_days"]
    with translation.override("zh-hans"):
        labels = [str(label) for _, label in field.choices]
    assert "10 days" not in labels and any("10" in label for label in labels)
