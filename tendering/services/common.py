"""Checks and helpers every tendering service shares: the permission refusals as coded errors (the
predicates live in tendering.permissions), the system actor of scheduled work, upload limits."""
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from backoffice.config import get_setting
from backoffice.exceptions import DomainError

ALLOWED_UPLOADS = {".pdf": b"%PDF", ".jpg": b"\xff\xd8", ".jpeg": b"\xff\xd8", ".png": b"\x89PNG", ".docx": b"PK",
                   ".zip": b"PK"}



# -- helpers -------------------------------------------------------------------------------------------
def _require_tender_staff(actor, tender=None):
    """tendering.permissions decides (role AND region, R2); this only turns a refusal into the coded error."""
    if not actor.has_perm("tendering.create_tender"):
        raise DomainError("forbidden", _("Only province or project office staff may do this."))
    if tender is not None and not actor.has_perm("tendering.manage_tender", tender):
        raise DomainError("forbidden", _("This tender is outside your region."))



def _require_institution_staff(actor, perm: str = "tendering.use_portal"):
    if not actor.has_perm(perm) or actor.organisation is None or actor.is_superuser:
        raise DomainError("forbidden", _("Only institution staff may do this."))
    return actor.organisation



def system_actor():
    """The user the scheduled opening acts as (the audit trail shows it as 系统)."""
    user, created = get_user_model().objects.get_or_create(
        username="system", defaults={"full_name": "系统", "is_superuser": True, "is_active": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user



def check_upload(*, name: str, data: bytes, region=None):
    """Size and type limits for uploaded documents: extension and the file's own first bytes must agree."""
    max_mb = get_setting("tender_upload_max_mb", region=region)
    if len(data) > max_mb * 1024 * 1024:
        raise DomainError("upload_too_large", _("The file is larger than %(mb)s MB.") % {"mb": max_mb})
    if not data:
        raise DomainError("upload_empty", _("The file is empty."))
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    magic = ALLOWED_UPLOADS.get(ext)
    if magic is None or not data.startswith(magic):
        raise DomainError("upload_type", _("Upload a PDF, JPG, PNG, DOCX or ZIP file."))
