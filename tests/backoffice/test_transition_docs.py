"""docs/TRANSITIONS.md is the readable table of every state machine; it must say what the code does."""
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import translation


def test_transition_table_in_the_docs_matches_the_code():
    out = StringIO()
    with translation.override(settings.LANGUAGE_CODE):
        call_command("transition_table", stdout=out)
    documented = (Path(settings.BASE_DIR) / "docs" / "TRANSITIONS.md").read_text(encoding="utf-8")
    assert documented.strip() == out.getvalue().strip(), "run: python manage.py transition_table > docs/TRANSITIONS.md"
