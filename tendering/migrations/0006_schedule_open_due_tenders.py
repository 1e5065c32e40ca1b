from django.db import migrations


def schedule_catchup(apps, schema_editor):
    """R4/R23: the tender-opening catch-up is scheduled by the product itself, not by hand."""
    from tendering.tasks import opening_catchup_schedule

    opening_catchup_schedule(interval_model=apps.get_model("django_celery_beat", "IntervalSchedule"),
                             task_model=apps.get_model("django_celery_beat", "PeriodicTask"))


class Migration(migrations.Migration):

    dependencies = [
        ('tendering', '0005_bid_and_question_state_machines'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.RunPython(schedule_catchup, migrations.RunPython.noop),
    ]
