"""Schema post-processing: every operation documents its problem responses (RFC 9457, `application/problem+json`),
so clients and the schema tests know every answer the API can give."""
from .problems import TITLES

COMMON = (400, 401, 403, 404, 429)
WRITE = (409, 415, 422)


def problem_responses_hook(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", {
        "type": "object", "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"}, "code": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "additionalProperties": {}}},
        },
    })
    ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            for code in COMMON + (WRITE if method in ("post", "put", "patch", "delete") else ()):
                responses.setdefault(str(code), {"description": TITLES.get(code, "")})
            for code, response in responses.items():
                if code.startswith("4"):
                    response["content"] = ref
                    response.setdefault("description", TITLES.get(int(code), ""))
    return result


_VENDOR_BOUNDS = {32767, 2147483647, 9223372036854775807, -32768, -2147483648, -9223372036854775808}


def _strip_vendor_bounds(node):
    if isinstance(node, dict):
        wide = node.get("maximum") == 9223372036854775807 or node.get("minimum") == -9223372036854775808
        for key in ("maximum", "minimum"):
            if node.get(key) in _VENDOR_BOUNDS:
                del node[key]
        if wide and node.get("format") == "int64":
            del node["format"]
        for value in node.values():
            _strip_vendor_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _strip_vendor_bounds(value)


def vendor_neutral_hook(result, generator, request, public):
    """Integer columns' limits come from the database backend (32-bit on PostgreSQL, 64-bit on SQLite); the
    published schema must not change with the database it was generated on, so those limits are left out."""
    _strip_vendor_bounds(result)
    return result
