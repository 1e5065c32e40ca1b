"""R3: on PostgreSQL the database refuses to change or delete audit events, whatever the code path."""
import pytest
from django.db import DatabaseError, connection, transaction

from backoffice.audit import audit_record
from backoffice.models import AuditEvent
from tests.factories import ProjectFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


@pytest.fixture
def event(personas, orgs):
    project = ProjectFactory(office=orgs.office, owner=orgs.office, created_by=personas.office,
                             plan__created_by=personas.province)
    return audit_record(obj=project, actor=personas.province, action="update", reason="预算调整",
                        changes={"budget": (1, 2)})


def _refused(action):
    with pytest.raises(DatabaseError) as err, transaction.atomic():
        action()
    assert "append-only" in str(err.value)


def test_r3_queryset_update_is_refused_by_the_database(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(reason="tampered"))
    assert AuditEvent.objects.get().reason == "预算调整"


def test_r3_queryset_delete_is_refused_by_the_database(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _refused(lambda: AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db))
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_r3_raw_sql_update_and_delete_are_refused(event):
    table = connection.ops.quote_name(AuditEvent._meta.db_table)

    def run(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

    _refused(lambda: run(f"UPDATE {table} SET actor_name = 'x' WHERE id = %s"))
    _refused(lambda: run(f"DELETE FROM {table} WHERE id = %s"))
    assert AuditEvent.objects.get().actor_name == str(event.actor)


def test_r3_new_events_are_still_appended(event, personas):
    audit_record(obj=personas.county, actor=personas.province, action="update")
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_r3_flush_between_transactional_tests_still_works(regions):
    # TransactionTestCase empties every table with TRUNCATE after this test; the trigger leaves TRUNCATE alone.
    from tests.factories import UserFactory

    user = UserFactory(username="flush_check")
    audit_record(obj=user, actor=user, action="update")
    assert AuditEvent.objects.count() == 1
