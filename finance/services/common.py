"""What every finance write checks first: who may write (R2) and who pays (R50)."""
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError
from finance.models import Payer


def require_finance(actor, region):
    """Finance officers write within their region subtree; auditors and everyone else never (R2)."""
    if not actor.has_perm("finance.change_region_finance", region):
        raise DomainError("forbidden", _("Only a finance officer of this region may do this."))


def check_payer(payer):
    # R50: teachers are never charged; only the programme's funds pay.
    if payer not in Payer.values:
        raise DomainError("r50_teacher_payer", _("Teachers are never charged: a fee line is paid by the programme's funds."))
