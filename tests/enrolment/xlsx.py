"""Building small workbooks for import tests."""
import io

from openpyxl import Workbook

HEADER = ["姓名", "身份证号", "学校代码", "县区代码", "学段", "学科", "岗位", "职称", "参加工作日期", "乡村教师", "联系电话"]


def row(name, number, school="S3601210", county="360121", stage="小学", subject="数学", started="2010-09-01",
        rural="否", post="教师", title="一级教师", phone="13800000000"):
    return [name, number, school, county, stage, subject, post, title, started, rural, phone]


def workbook(rows, *, header=HEADER, merge=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
