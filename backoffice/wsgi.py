import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
application = get_wsgi_application()

# Web requests only: PostgreSQL cancels a statement that runs past WEB_STATEMENT_TIMEOUT_MS (issue 13).
from backoffice.timeouts import install_web_statement_timeout  # noqa: E402

install_web_statement_timeout()
