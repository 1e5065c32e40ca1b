import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@worker_process_init.connect
def load_pdf_font(**kwargs):
    """Parse the CJK font once per worker process, not in the first certificate batch it draws."""
    from backoffice.documents import register_font

    register_font()
