"""The scopes a key may carry (R5). Session users are not limited by scopes, only by their role (R2)."""
from django.utils.translation import gettext_lazy as _

PLANS_READ = "plans:read"
ROSTERS_WRITE = "rosters:write"
CREDITS_READ = "credits:read"
FINANCE_READ = "finance:read"
LEARNING_RECORDS_WRITE = "learning_records:write"
OUTCOMES_READ = "outcomes:read"

SCOPES = {
    PLANS_READ: _("Read plans and projects"),
    ROSTERS_WRITE: _("Send applicant rosters"),
    CREDITS_READ: _("Read credits and certificates"),
    FINANCE_READ: _("Read statements and payments"),
    LEARNING_RECORDS_WRITE: _("Send learning records"),
    OUTCOMES_READ: _("Read computed outcomes"),
}


def scope_choices():
    return [(k, f"{k} · {v}") for k, v in SCOPES.items()]
