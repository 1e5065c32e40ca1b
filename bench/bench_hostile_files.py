"""Benchmark: hostile workbooks through the real import path (issue 11 #1), each in its own process.

For each file a child process creates an ImportJob and runs the import task on it, as the worker does; the parent
prints the job's outcome, the seconds and the child's peak memory (ru_maxrss from wait4). Target: < 300 MB each.
The parent never loads Django or a file: Linux carries a parent's peak memory at fork into the child's ru_maxrss,
so the database and the files are prepared in a child of their own.

    python bench/bench_hostile_files.py                      # SQLite file var/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_sheets_bench python bench/bench_hostile_files.py
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
sys.path.insert(0, str(BASE / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("AXES_ENABLED", "false")
OUT = BASE / "var" / "bench" / "hostile"


def build(school) -> list[tuple[str, Path]]:
    """The hostile files, written once (a few KB each but the 50 MB one)."""
    import datetime as dt

    from backoffice.demo import make_id_number
    from tests.backoffice import hostile

    OUT.mkdir(parents=True, exist_ok=True)
    header = ["姓名", "身份证号", "学校代码", "县区代码", "学段", "学科", "岗位", "职称", "参加工作日期", "乡村教师", "联系电话"]
    files = {
        "sparse A1 + ZZ1000000 (declared)": lambda: hostile.sparse(),
        "sparse A1 + ZZ1000000 (dimension says A1)": lambda: hostile.sparse(declared=False),
        "sparse A1 + Z1000000 (dimension says A1)": lambda: hostile.sparse(far="Z1000000", declared=False),
        "zip bomb: 300 MB of zeros in one cell": lambda: hostile.zip_bomb(megabytes=300),
        "one applicant, then 1,000,000 formatted empty rows": lambda: hostile.empty_rows(header, [[
            "张三", make_id_number(school.region.code, dt.date(1985, 3, 17), 1), school.code, school.region.code, "小学",
            "数学", "教师", "一级教师", "2008-09-01", "否", "13800000000"]]),
        "50 MB upload": lambda: b"PK\x03\x04" + os.urandom(50 * 1024 * 1024),
    }
    out = []
    for i, (label, make) in enumerate(files.items()):
        path = OUT / f"hostile-{i}.xlsx"
        if not path.exists():
            path.write_bytes(make())
        out.append((label, path))
    return out


def child(path: str) -> None:
    import django

    django.setup()
    from backoffice.models import User
    from projects.enrolment.models import ImportJob
    from projects.enrolment.tasks import run_import_job
    from projects.models import Project

    project, user = Project.objects.get(code="BENCH-1"), User.objects.get(username="bench-admin")
    job = ImportJob(kind="applicants", project=project, original_name=Path(path).name, created_by=user)
    with open(path, "rb") as fh:
        job.file.save(Path(path).name, fh, save=True)
    started = time.perf_counter()
    status = run_import_job(job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    job.file.delete(save=False)
    print(json.dumps({"status": status, "message": job.message, "seconds": seconds}, ensure_ascii=False))


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from bench_import import setup_world

    call_command("migrate", interactive=False, verbosity=0)
    schools, _project, _user = setup_world(2)
    print(json.dumps([(label, str(path)) for label, path in build(schools[0])], ensure_ascii=False))


def main():
    prepared = subprocess.run([sys.executable, __file__, "--setup"], stdout=subprocess.PIPE, text=True, check=True)
    files = json.loads(prepared.stdout.strip().splitlines()[-1])
    print(f"{'file':46} {'size':>10} {'status':>8} {'seconds':>8} {'peak MB':>8}  message")
    for label, path in files:
        proc = subprocess.Popen([sys.executable, __file__, "--child", path], stdout=subprocess.PIPE, text=True)
        output = proc.stdout.read()
        _pid, _status, usage = os.wait4(proc.pid, 0)
        result = json.loads(output.strip().splitlines()[-1])
        size = Path(path).stat().st_size
        print(f"{label:46} {size / 1024:>8.0f}KB {result['status']:>8} {result['seconds']:>8.2f} "
              f"{usage.ru_maxrss / 1024:>8.0f}  {result['message']}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    elif sys.argv[1:] == ["--setup"]:
        setup()
    else:
        main()
