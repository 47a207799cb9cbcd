"""The Flask extensions, created unbound here and bound to the app by the factory (`web/app.py`):
a module of their own so that blueprints can use them without importing the factory."""

from __future__ import annotations

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
