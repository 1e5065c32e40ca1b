"""Who may do what in finance (R2, R50-R57): `rules` predicates — role AND region or organisation scope — and
the finance.* permissions that views, services and templates ask. Finance officers read and write in their
region; auditors read there and change nothing; an institution reads, confirms and invoices its own."""
import rules

from backoffice.models import Role
from backoffice.permissions import can_write, has_role, in_region_of, is_superuser, owned_by
from backoffice.scoping import scope_for

is_finance = has_role(Role.FINANCE_OFFICER)
is_auditor = has_role(Role.AUDITOR)
is_institution = has_role(Role.INSTITUTION_STAFF)


@rules.predicate
def covers_region(user, region):
    return scope_for(user).covers_region(region)


is_reader = is_superuser | is_finance | is_auditor
can_write_finance = is_superuser | (is_finance & can_write)
# Finance officers write within their region subtree (obj: the region the money belongs to).
can_write_region = is_superuser | (is_finance & can_write & covers_region)
# The statement's transitions (R53): the institution confirms its own, finance of the county approves.
institution_of_statement = is_superuser | (is_institution & owned_by("contract.institution"))
finance_of_statement = is_superuser | (is_finance & in_region_of("county"))

rules.add_perm("finance.view_finance", is_reader)
rules.add_perm("finance.view_statements", is_reader | is_institution)
rules.add_perm("finance.change_finance", can_write_finance)
rules.add_perm("finance.change_region_finance", can_write_region)
rules.add_perm("finance.settle_contracts", can_write_finance)
rules.add_perm("finance.upload_invoices", is_institution & can_write)
rules.add_perm("finance.upload_invoice", is_institution & can_write & owned_by("institution"))
