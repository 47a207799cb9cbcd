"""The app for a WSGI server: `gunicorn -w 4 'web.wsgi:app'`, configured by HUITOU_* variables.

Building the app here, at import, is what WSGI servers expect of this one module; no scheduler
runs in the server's workers (run `huitou serve` or a separate tick for that). The database must
already be migrated (`huitou init`, or `huitou serve` once).
"""

from web.app import create_app

app = create_app()
