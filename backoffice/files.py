"""Stored files (issue 11 #3): unguessable names, and downloads only through views that check scope (R2).

No URL serves MEDIA_ROOT. A view fetches the owning row through its app's selector (404 when out of scope),
then answers with `protected_file_response`: the file itself, or an X-Accel-Redirect for nginx to send.
"""
import mimetypes
import uuid
from functools import wraps
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header


@deconstructible
class UploadTo:
    """`upload_to` for every FileField: `<kind>/<yyyy>/<uuid4 hex><ext>`; the uploaded name never reaches the disk."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, instance, filename: str) -> str:
        ext = PurePosixPath(filename).suffix.lower()
        if not ext[1:].isalnum() or len(ext) > 10:
            ext = ""
        return f"{self.kind}/{timezone.now():%Y}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, UploadTo) and other.kind == self.kind


def protected_download(view):
    """Anonymous visitors get 404 for a stored file, never a log-in redirect that confirms it exists."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def protected_file_response(field_file, *, filename: str, content_type: str | None = None,
                            as_attachment: bool = True) -> HttpResponse:
    """The response for a file the caller has already checked the user may read."""
    if not field_file or not field_file.storage.exists(field_file.name):
        raise Http404
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    prefix = settings.PROTECTED_MEDIA_ACCEL_PREFIX
    if not prefix:
        return FileResponse(field_file.open("rb"), as_attachment=as_attachment, filename=filename,
                            content_type=content_type)
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field_file.name)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response


def rename_legacy_files(model, *, field: str, kind: str, name_field: str = "") -> None:
    """Data migrations: move files saved under their uploaded names to unguessable ones, keeping the
    uploaded name in `name_field`. A file missing on disk keeps its row as it is."""
    upload_to = UploadTo(kind)
    for row in model.objects.exclude(**{field: ""}).iterator():
        stored = getattr(row, field)
        if stored.name.startswith(f"{kind}/") and len(PurePosixPath(stored.name).stem) == 32:
            continue
        original = PurePosixPath(stored.name).name
        if not stored.storage.exists(stored.name):
            continue
        with stored.storage.open(stored.name, "rb") as fh:
            new_name = stored.storage.save(upload_to(row, original), fh)
        stored.storage.delete(stored.name)
        updates = {field: new_name}
        if name_field and not getattr(row, name_field):
            updates[name_field] = original[-255:]
        model.objects.filter(pk=row.pk).update(**updates)
