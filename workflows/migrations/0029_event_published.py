"""CaseEvent.published: False from the services until the publisher sent the event live; the
timer dispatcher sends the ones left False (issue 18.15). Existing rows count as sent."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0028_parts_ended_take_over'),
    ]

    operations = [
        migrations.AddField(
            model_name='caseevent',
            name='published',
            field=models.BooleanField(db_default=True, default=True, editable=False),
        ),
        migrations.AddIndex(
            model_name='caseevent',
            index=models.Index(condition=models.Q(('published', False)), fields=['id'], name='event_unpublished'),
        ),
    ]
