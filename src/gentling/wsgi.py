"""The WSGI entry point for `gentling serve` (waitress, or gunicorn with several processes)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gentling.settings")
application = get_wsgi_application()
