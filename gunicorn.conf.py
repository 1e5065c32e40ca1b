"""gunicorn settings for production (`gunicorn -c gunicorn.conf.py backoffice.wsgi`); every value can be changed
from the environment.

Worker class: sync. The pages are short and CPU-bound (templates) once every query is index-bound, so threads
would only share one interpreter lock; a sync worker is also the only kind whose request gunicorn kills when it
passes `timeout` (a gthread worker's heartbeat runs in its own thread and keeps a stuck request alive). Slow
clients are buffered by the intranet's nginx in front, so they never hold a worker. Work per request is bounded
twice: PostgreSQL cancels a statement after WEB_STATEMENT_TIMEOUT_MS (10 s, backoffice.timeouts), and gunicorn
kills a worker still busy after `timeout` (30 s), so a request whose client left stops within 30 s at most.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Restart each worker now and then so a slow leak cannot grow for weeks; jitter keeps them from restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# Queued connections beyond this are refused at once rather than waiting minutes behind a burst.
backlog = int(os.environ.get("GUNICORN_BACKLOG", 256))
# Import the application before forking: less memory per worker, and a broken deploy fails at start.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
