"""WSGI entry point: `gunicorn config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Views imported now rather than on the first request, and start-up objects kept out of the
# garbage collector's way (peoplezones/core/startup.py).
from peoplezones.core.startup import load_and_freeze  # noqa: E402

load_and_freeze()
