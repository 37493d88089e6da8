"""Event kinds as an enum (`choices.EventKind`), all in the past tense: stored kinds renamed."""

from django.db import migrations, models

RENAMED = {  # a copy, not an import: a migration keeps meaning what it meant
    "case.marked_duplicate": "case.marked_duplicate",
    "case.returned_to_dispatcher": "case.returned_to_dispatcher",
    "case.went_overdue": "case.went_overdue",
    "case.claim_went_overdue": "case.claim_went_overdue",
}


def rename(apps, schema_editor, mapping=RENAMED):
    CaseEvent = apps.get_model("workflows", "CaseEvent")
    for old, new in mapping.items():
        CaseEvent.objects.filter(kind=old).update(kind=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0008_dispatch_queue_cases'),
    ]

    operations = [
        migrations.RunPython(rename, rename_back),
        migrations.AlterField(
            model_name='caseevent',
            name='kind',
            field=models.CharField(choices=[('case.reported', 'Reported'), ('case.accepted', 'Accepted'), ('case.rejected', 'Rejected'), ('case.marked_duplicate', 'Marked as duplicate'), ('case.whistled', 'Whistle blown to the level above'), ('case.dispatched', 'Whistle blown to departments'), ('case.claimed', 'Claimed (reported for duty)'), ('case.assigned', 'Given to a staff member'), ('case.returned', 'Returned by a department'), ('case.dispatch_resolved', 'Department reported its result'), ('case.resolved', 'Resolved'), ('case.returned_to_dispatcher', 'Back to the dispatcher'), ('case.closed', 'Verified and closed'), ('case.reworked', 'Sent back for rework'), ('case.rated', 'Rated'), ('case.reopened', 'Reopened after a dissatisfied rating'), ('case.went_overdue', 'Overdue'), ('case.claim_went_overdue', 'Not claimed in time'), ('dispatch.rated', 'Department response rated'), ('case.commented', 'Comment')], db_index=True, max_length=40, verbose_name='kind'),
        ),
    ]
