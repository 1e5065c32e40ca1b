"""Issue 14 #3 and #7: one format for money and time, punctuation per language, English list filters."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

from backoffice.punctuation import enum, mark
from backoffice.when import when


def test_r57_yuan_filter_groups_thousands_and_leaves_an_unknown_figure_blank():
    out = Template("{% load money %}{{ a|yuan }}|{{ b|yuan }}|{{ c|yuan }}").render(
        Context({"a": Decimal("1200000"), "b": None, "c": "24000.005"}))
    assert out == "¥1,200,000.00||¥24,000.01"


def test_times_to_the_second_in_shanghai_without_microseconds():
    utc = dt.datetime(2026, 12, 3, 8, 15, 46, 593027, tzinfo=dt.timezone.utc)
    assert when(utc) == "2026-12-03 16:15:46"
    assert when(utc.isoformat()) == "2026-12-03 16:15:46"  # as a sealed bid's receipt keeps it
    assert when(utc.astimezone(ZoneInfo("America/New_York"))) == "2026-12-03 16:15:46"
    assert when(dt.date(2026, 12, 3)) == "2026-12-03" and when(None) == ""
    assert Template("{% load money %}{{ t|when }}").render(Context({"t": utc})) == "2026-12-03 16:15:46"


def test_punctuation_per_language():
    with translation.override("zh-hans"):
        assert (mark(":"), mark("("), enum(["甲", "乙"])) == ("：", "（", "甲、乙")
    with translation.override("en"):
        assert (mark(":"), mark("("), enum(["A", "B"])) == (": ", " (", "A, B")


def test_english_filter_labels_and_all_choice_follow_the_request_language(personas, login):
    """Class-level filter labels are lazy: the page in English after one in Chinese is still English."""
    client = login(personas.finance)
    zh = client.get("/finance/statements/").content.decode()
    assert "合同编号" in zh and ">全部<" in zh
    client.cookies["django_language"] = "en"
    en = client.get("/finance/statements/").content.decode()
    assert "合同编号" not in en and "contract number" in en and ">All<" in en and "---------" not in en


def test_audit_filter_dates_are_date_pickers(personas, login):
    page = login(personas.auditor).get("/audit/").content.decode()
    assert page.count('type="date"') >= 2
