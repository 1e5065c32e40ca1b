"""Deadlines the finance workflow sets (R4), beside the transition it guards: the institution confirms a
settlement statement within N working days of its computation (R53)."""
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backoffice.config import register_setting
from backoffice.deadlines import After, Deadline, register_deadline
from backoffice.models import Role

CONFIRM_DAYS = "deadlines.statement_confirm_working_days"


def _statements_to_confirm():
    from finance.models import SettlementStatement, StatementStatus

    # SettlementStatement.confirm (R53): the institution checks the figures before finance approves them.
    return SettlementStatement.objects.filter(status=StatementStatus.DRAFT).values(
        key=F("pk"), computed=F("computed_at"), region_code=F("county__code"), org_id=F("contract__institution_id"),
        reference=F("contract__reference"), county_name=F("county__name"), year=F("school_year"))


_confirm_due = After("computed", CONFIRM_DAYS)


def register():
    register_setting(CONFIRM_DAYS, default=10, rule="R53",
                     label=_("Deadlines: working days for the institution to confirm a settlement statement"))
    register_deadline(Deadline(
        key="finance.statement_confirm", label=_("Confirm the settlement statement"), rule="R53",
        transition="finance.SettlementStatement.confirm", rows=_statements_to_confirm, due=_confirm_due,
        subject=lambda row: f"{row['reference']} · {row['county_name']} · {row['year']}-{row['year'] + 1}",
        url=lambda row: reverse("finance:statement_detail", args=[row["key"]]), org_roles=(Role.INSTITUTION_STAFF,)))
