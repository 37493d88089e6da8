"""退单审核 and 改派 (issue 13): a department's return waits for the dispatcher's review; a part
may be moved to another department. Returns recorded before this were ended without a review:
they count as accepted."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def returns_accepted(apps, schema_editor):
    CaseDispatch = apps.get_model("workflows", "CaseDispatch")
    CaseDispatch.objects.filter(returned_at__isnull=False).update(
        return_accepted_at=F("returned_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0018_responsibility_list"),
    ]

    operations = [
        migrations.AddField(
            model_name="casedispatch",
            name="review_due",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="review the return by"
            ),
        ),
        migrations.AddField(
            model_name="casedispatch",
            name="return_accepted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="return accepted"),
        ),
        migrations.AddField(
            model_name="casedispatch",
            name="reassigned_to",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="workflows.casedispatch",
            ),
        ),
        migrations.AddField(
            model_name="casedispatch",
            name="reassigned_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="reassigned"),
        ),
        migrations.RunPython(returns_accepted, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='caseevent',
            name='kind',
            field=models.CharField(choices=[('case.reported', 'Reported'), ('case.accepted', 'Accepted'), ('case.rejected', 'Rejected'), ('case.marked_duplicate', 'Marked as duplicate'), ('case.whistled', 'Whistle blown to the level above'), ('case.dispatched', 'Whistle blown to departments'), ('case.claimed', 'Claimed (reported for duty)'), ('case.assigned', 'Given to a staff member'), ('case.returned', 'Returned by a department'), ('case.return_accepted', 'Return accepted (退单审核)'), ('case.return_refused', 'Return refused: back to the department'), ('case.return_review_went_overdue', 'Return not reviewed in time'), ('case.reassigned', 'Reassigned to another department (改派)'), ('case.dispatch_resolved', 'Department reported its result'), ('case.resolved', 'Resolved'), ('case.returned_to_dispatcher', 'Back to the dispatcher'), ('case.closed', 'Verified and closed'), ('case.reworked', 'Sent back for rework'), ('case.rated', 'Rated'), ('case.reopened', 'Reopened after a dissatisfied rating'), ('case.went_overdue', 'Overdue'), ('case.claim_went_overdue', 'Not claimed in time'), ('dispatch.rated', 'Department response rated'), ('case.commented', 'Comment')], db_index=True, max_length=40, verbose_name='kind'),
        ),
    ]
