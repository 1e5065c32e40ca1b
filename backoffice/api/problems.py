"""Errors as RFC 9457 problem details (`application/problem+json`) with a stable `code` and a Chinese message."""
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from backoffice.exceptions import DomainError, ScopeError

PROBLEM_TYPE = "https://guopei.example.cn/problems/"


class Problem(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField(), required=False)


def problem(*, status_code: int, code: str, title: str, detail: str, errors=None, headers=None) -> Response:
    body = {"type": PROBLEM_TYPE + code, "title": str(title), "status": status_code, "detail": str(detail),
            "code": code}
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type="application/problem+json")
    return response


def _flatten(detail, path=""):
    """Serializer errors as [{"field", "message"}], whatever their nesting."""
    if isinstance(detail, dict):
        return [e for k, v in detail.items()
                for e in _flatten(v, f"{path}[{k}]" if isinstance(k, int) else f"{path}.{k}" if path else str(k))]
    if isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            return [{"field": path, "message": str(v)} for v in detail]
        return [e for i, v in enumerate(detail) for e in _flatten(v, f"{path}[{i}]")]
    return [{"field": path, "message": str(detail)}]


TITLES = {
    400: "请求有误", 401: "未通过身份验证", 403: "无权访问", 404: "未找到", 405: "不支持的请求方法",
    406: "不支持的响应格式", 409: "与已有请求冲突", 415: "不支持的内容类型", 422: "业务规则不允许", 429: "请求过于频繁",
}


def exception_handler(exc, context):
    if isinstance(exc, ScopeError):  # the role or its area does not cover the object (R2)
        return problem(status_code=403, code=exc.code, title=TITLES[403], detail=exc.message)
    if isinstance(exc, DomainError):
        return problem(status_code=422, code=exc.code, title=TITLES[422], detail=exc.message, errors=exc.errors or None)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    code = "error"
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        code, errors = "invalid", _flatten(exc.detail)
        detail = _("The request has invalid fields.")
    else:
        detail = exc.detail if not isinstance(exc.detail, (dict, list)) else str(exc.detail)
        code = getattr(detail, "code", None) or exc.default_code
        if isinstance(exc, exceptions.NotAuthenticated):
            code, detail = "not_authenticated", _("Sign in, or send an API key: Authorization: Api-Key gp_…")
        elif isinstance(exc, exceptions.PermissionDenied) and code == "permission_denied":
            detail = _("Your role or this key's scopes do not allow this.")
        elif isinstance(exc, exceptions.Throttled):
            detail = _("Too many requests; try again in %(s)s seconds.") % {"s": int(exc.wait or 1)}
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    return problem(status_code=response.status_code, code=str(code), title=TITLES.get(response.status_code, "错误"),
                   detail=detail, errors=errors, headers=headers)


def problem_responses(*codes):
    """The problem responses an endpoint documents."""
    return {c: OpenApiResponse(Problem, description=TITLES.get(c, "")) for c in codes}
