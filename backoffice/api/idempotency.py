"""Idempotency keys on batch writes: the first answer to (client, endpoint, key) is stored with the request's
hash; a retry with the same body gets that answer again and writes nothing; the same key with another body is
refused (409)."""
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from backoffice.models import IdempotentRequest

from .permissions import request_key
from .problems import problem

HEADER = "Idempotency-Key"
PARAMETER = OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, required=False,
                             description="A unique string per batch; a retry with the same key and body is answered "
                                         "from the first call and writes nothing again.")


def _client(request) -> str:
    key = request_key(request)
    return f"key:{key.pk}" if key is not None else f"user:{request.user.pk}"


def idempotent(request, endpoint: str, run) -> Response:
    """`run()` returns (status, body); it runs at most once per idempotency key."""
    key = (request.headers.get(HEADER) or "").strip()[:200]
    if not key:
        status, body = run()
        return Response(body, status=status)
    digest = hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
    found = IdempotentRequest.objects.filter(client=_client(request), endpoint=endpoint, key=key).first()
    if found is not None:
        return _replay(found, digest)
    status, body = run()
    try:
        with transaction.atomic():
            IdempotentRequest.objects.create(client=_client(request), endpoint=endpoint, key=key,
                                             request_hash=digest, status_code=status, body=body)
    except IntegrityError:  # a concurrent retry stored its answer first
        return _replay(IdempotentRequest.objects.get(client=_client(request), endpoint=endpoint, key=key), digest)
    return Response(body, status=status)


def _replay(found: IdempotentRequest, digest: str) -> Response:
    if found.request_hash != digest:
        return problem(status_code=409, code="idempotency_key_reused", title="与已有请求冲突",
                       detail=_("This Idempotency-Key was already used with a different request body."))
    return Response(found.body, status=found.status_code, headers={"Idempotent-Replayed": "true"})
