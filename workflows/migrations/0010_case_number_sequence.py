"""CaseCounter is the case-number sequence: named for what it is (a table rename only)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0009_event_kinds_past_tense"),
    ]

    operations = [
        migrations.RenameModel(old_name="CaseCounter", new_name="CaseNumberSequence"),
    ]
