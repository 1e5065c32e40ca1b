"""Issue 10: the product stays readable in pieces. No product file over 500 lines, no function over 80 lines (demo
and bench scripts aside), and no selector decides what is visible by comparing role names (scope and the apps'
predicates do)."""
import ast
from pathlib import Path

from django.conf import settings

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
APPS = ("backoffice", "projects", "tendering", "finance")


def product_files():
    base = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((base / app).rglob("*.py")):
            parts = path.relative_to(base).parts
            if "migrations" in parts or path.name.startswith("demo") or "bench" in parts or "tests" in parts:
                continue
            yield path.relative_to(base), path.read_text(encoding="utf-8")


def test_no_product_file_over_500_lines():
    long = [f"{name}: {text.count(chr(10))} lines" for name, text in product_files()
            if text.count("\n") > MAX_FILE_LINES]
    assert not long, "split by responsibility:\n" + "\n".join(long)


def test_no_function_over_80_lines():
    long = []
    for name, text in product_files():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{name}:{node.lineno} {node.name}: {size} lines")
    assert not long, "split into helpers:\n" + "\n".join(long)


def _compares_role(node) -> bool:
    sides = [node.left, *node.comparators]
    return any(isinstance(s, ast.Attribute) and s.attr == "role" for s in sides)


def test_r2_selectors_never_branch_on_a_role_name():
    found = []
    for name, text in product_files():
        if "selectors" not in name.parts and name.stem != "selectors":
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Compare) and _compares_role(node):
                found.append(f"{name}:{node.lineno}")
            named = getattr(node, "attr", None) or getattr(node, "id", None) or ""
            if isinstance(node, (ast.Attribute, ast.Name)) and named.endswith("_ROLES"):
                found.append(f"{name}:{node.lineno} {named}")
    assert not found, "ask scope_for(user) or the app's permissions.py instead:\n" + "\n".join(found)
