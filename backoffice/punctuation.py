"""Punctuation per language: full-width marks in Chinese (名称：值、（说明）), ASCII with spaces in English, so
an English page never shows "Reason：" and a Chinese one never "Reason: "."""
from django.conf import settings
from django.utils.translation import get_language

MARKS = {
    "zh": {"(": "（", ")": "）", ":": "：", ";": "；", ",": "，", "list": "、"},
    "en": {"(": " (", ")": ")", ":": ": ", ";": "; ", ",": ", ", "list": ", "},
}


def mark(name: str) -> str:
    language = get_language() or settings.LANGUAGE_CODE
    return MARKS["zh" if language.startswith("zh") else "en"][name]


def enum(values) -> str:
    """Items of a list joined the way the reader's language lists them: 甲、乙 / A, B."""
    return mark("list").join(str(v) for v in values)
