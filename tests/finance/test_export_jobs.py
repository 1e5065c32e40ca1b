"""Issue 13: the finance workbooks (reconciliation, statements, budget) and the audit trail run as background jobs
(a province passes 10,000 rows), stream through backoffice.spreadsheets, keep the reader's scope (R2), are
audited (R3), and read a number of queries that does not grow with the contracts, counties or rows."""
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.audit import audit_record
from backoffice.exceptions import DomainError
from backoffice.exports import export_build, export_job_start
from backoffice.models import AuditEvent, ExportJob
from backoffice.spreadsheets import stream_table
from finance import services
from tests.export_helpers import sheet_rows
from tests.factories.finance import contract_for, trainees

pytestmark = pytest.mark.django_db


def _grow(personas, orgs, n, counties=("360121", "360112")):
    """`n` contracts, each with completed trainees in `counties`, settled and confirmed: statements, audit events
    and reconciliation rows all grow."""
    made = []
    for i in range(n):
        contract = contract_for(institution=orgs.institution if i % 2 else orgs.other_institution)
        for county in counties:
            trainees(contract.lot.projects.get(), county, 2)
        made.append(contract)
    services.settlement_compute(actor=personas.finance, contracts=made)
    for contract in made:
        for statement in contract.statements.all():
            inst = personas.institution if contract.institution_id == orgs.institution.pk else \
                personas.other_institution
            services.settlement_confirm(actor=inst, statement=statement)
    return made


def _run(user, kind, params=None) -> int:
    """Build and write an export in-process (what the worker does), returning its rows."""
    export = export_build(user=user, kind=kind, params=params or {})
    if export.write is not None:
        return export.write(io.BytesIO(), lambda n: None)
    return stream_table(io.BytesIO(), export.title, export.columns, export.rows)


@pytest.mark.parametrize("kind,who", [("finance.reconciliation", "finance"), ("finance.statements", "finance"),
                                      ("finance.statements", "institution"), ("finance.budget", "finance"),
                                      ("backoffice.audit", "auditor")])
def test_issue13_export_queries_do_not_grow_with_contracts_counties_or_rows(personas, orgs, kind, who,
                                                                            django_assert_num_queries):
    user = personas[who]
    _grow(personas, orgs, 2)
    _run(user, kind)  # warms the per-process caches (content types, settings)
    with CaptureQueriesContext(connection) as small:
        small_rows = _run(user, kind)
    _grow(personas, orgs, 5, counties=("360121", "360112", "360102"))
    with django_assert_num_queries(len(small)):
        big_rows = _run(user, kind)
    assert big_rows > small_rows  # the second size really is bigger


def test_issue13_statement_export_is_a_job_with_the_lists_filter(login, personas, orgs, exported):
    _grow(personas, orgs, 3)
    client = login(personas.finance)
    page = client.get(reverse("finance:statement_list"), {"status": "confirmed"}).content.decode()
    assert reverse("finance:statement_export") in page and 'name="status" value="confirmed"' in page
    everything = sheet_rows(exported(client, reverse("finance:statement_export")))
    assert everything[0][:3] == ["合同编号", "承训机构", "项目编号"] and len(everything) == 1 + 6
    download = exported(client, reverse("finance:statement_export"), {"status": "draft"})
    assert sheet_rows(download) == everything[:1]  # every statement is confirmed: the filter is applied
    assert download.job.rows == 0
    assert AuditEvent.objects.filter(action="export", actor=personas.finance).count() == 2  # R3


def test_r2_statement_export_holds_the_institutions_own_statements(login, personas, orgs, exported):
    _grow(personas, orgs, 3)  # the second contract is the institution's, the others another institution's
    mine = sheet_rows(exported(login(personas.institution), reverse("finance:statement_export")))
    assert len(mine) == 1 + 2 and {r[1] for r in mine[1:]} == {orgs.institution.name}


def test_r56_budget_export_has_a_row_per_project_with_its_execution_rate(login, personas, orgs, exported):
    made = _grow(personas, orgs, 2)
    rows = sheet_rows(exported(login(personas.finance), reverse("finance:budget_export")))
    codes = {r[0] for r in rows[1:]}
    assert {c.lot.projects.get().code for c in made} <= codes
    assert rows[0][0] == "项目编号" and all(r[7] is not None for r in rows[1:])


def test_issue13_reconciliation_workbook_job_reports_progress_and_its_rows(login, personas, orgs, exported):
    _grow(personas, orgs, 2)
    download = exported(login(personas.finance), reverse("finance:reconciliation_xlsx"))
    job = ExportJob.objects.get(pk=download.job.pk)
    assert (job.status, job.progress, job.rows, job.kind) == ("succeeded", 100, 4, "finance.reconciliation")


def test_audit_export_is_a_job_with_the_pages_filters(login, personas, orgs, exported):
    project = contract_for(institution=orgs.institution).lot.projects.get()
    audit_record(obj=project, actor=personas.province, action="update", reason="预算调整甲乙丙")
    audit_record(obj=project, actor=personas.province, action="update", reason="其他原因")
    client = login(personas.auditor)
    page = client.get(reverse("audit_list"), {"q": "预算调整"}).content.decode()
    assert reverse("audit_export") in page and 'name="q" value="预算调整"' in page
    rows = sheet_rows(exported(client, reverse("audit_export"), {"q": "预算调整"}))
    assert rows[0][0] == "时间" and len(rows) == 1 + 1 and rows[1][-1] == "预算调整甲乙丙"


@pytest.mark.parametrize("who", ["school", "institution", "expert"])
def test_roles_that_do_not_read_the_trail_cannot_export_it(login, personas, who):
    assert login(personas[who]).post(reverse("audit_export")).status_code == 403
    with pytest.raises(DomainError) as refused:
        export_job_start(actor=personas[who], kind="backoffice.audit")
    assert refused.value.code == "forbidden" and not ExportJob.objects.exists()

