"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.routing import BaseConverter

from notifications import wiring
from web import error_pages, formatting, i18n, identifiers, input_guard, security
from web.account import bp as account_bp
from web.account import init_app as init_account
from web.admin import bp as admin_bp
from web.api import init_app as init_api
from web.api_tokens import bp as api_tokens_bp
from web.archive import bp as archive_bp
from web.auth import bp as auth_bp
from web.auth import login_form
from web.board import bp as board_bp
from web.cases import bp as cases_bp
from web.county import bp as county_bp
from web.extensions import csrf, login_manager, migrate
from web.inbox import bp as inbox_bp
from web.notices import bp as notices_bp
from web.notices import init_app as init_notices
from web.oversight import bp as oversight_bp
from web.progress import bp as progress_bp
from web.register import bp as register_bp
from web.results import bp as results_bp
from web.round_admin import bp as round_admin_bp
from web.rounds import bp as rounds_bp
from web.survey import bp as survey_bp
from workflow import services
from workflow.county.setup import county_name
from workflow.people import sessions
from workflow.platform import clock, text
from workflow.platform.db import REPLICA, db
from workflow.platform.i18n import gettext
from workflow.platform.settings import PROJECT_ROOT, Settings, use_settings
from workflow.programme.rounds import menu_round, menu_year

__all__ = ["create_app", "csrf", "login_manager", "migrate"]


def create_app(
    settings: Settings | None = None, test_config: dict[str, Any] | None = None
) -> Flask:
    """Build the app: settings, then extensions, then blueprints; nothing starts running here."""
    settings = settings or Settings.from_env()
    use_settings(settings)
    if settings.rehearsal_start:
        clock.start_rehearsal(clock.parse_moment(settings.rehearsal_start))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
        SQLALCHEMY_BINDS=_replica_bind(settings.database_replica_url),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        HUITOU_SETTINGS=settings,
    )
    if test_config:
        app.config.update(test_config)
    identifiers.init_app(app)  # before the blueprints: their routes compile with it
    text.install_length_check()
    security.init_app(app, settings)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    input_guard.init_app(app)
    _init_login(app)
    _init_templates(app)
    app.url_map.converters["round"] = RoundNameConverter
    _register_blueprints(app)
    _register_error_pages(app)
    error_pages.init_app(app)
    wiring.connect(app)
    services.install()
    return app


def _replica_bind(url: str) -> dict[str, Any]:
    """The read replica as a bind of its own, when one is configured."""
    if not url:
        return {}
    return {REPLICA: {"url": url, **_engine_options(url)}}


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Wait for a writer instead of failing at once; one writer at a time is SQLite's rule.
        return {"connect_args": {"timeout": 15}}
    # Parallel workers cost more to start than huitou's short, indexed queries take, and the
    # county's server has few cores to spare: one process per query.
    return {
        "pool_pre_ping": True,
        "connect_args": {"options": "-c max_parallel_workers_per_gather=0"},
    }


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)

    @login_manager.unauthorized_handler
    def log_in_first() -> tuple[str, int]:
        """Not logged in: 401 with the login form in place; after it, back to the page asked for."""
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return login_form(notice=gettext("Please log in first."), next_url=target), 401

    @login_manager.user_loader
    def load_user(user_id: str) -> sessions.User | None:
        return sessions.user_of_session(user_id)  # None once the session was ended


def _init_templates(app: Flask) -> None:
    i18n.init_app(app)
    app.jinja_env.filters.update(formatting.FILTERS)

    @app.context_processor
    def inject_clock() -> dict[str, Any]:
        return {
            "now_beijing": clock.in_beijing(clock.now()),
            "nav_year": _nav_year,
            "nav_round": _nav_round,
            "county_label": _county_label,
        }

    @app.before_request
    def remember_request_start() -> None:
        g.now = clock.now()


def _domain_description(exc: Exception) -> str | None:
    """What the domain said when it found nothing (a round's name that names no round says
    which rounds there are); None for werkzeug's own English default."""
    description = getattr(exc, "description", None)
    return None if description == HTTPNotFound.description else description


class RoundNameConverter(BaseConverter):
    """A round in an address: `2018-mid`, `2018-end`, `2020-final`, or a plain year (resolved by
    rounds.get_round, which says which rounds a year holds when it holds several)."""

    regex = r"\d{4}(?:-(?:mid|end|final))?"


class _NavYear:
    """The year the menu's round links point at: the open round's, else the latest, else now's.
    Asked lazily, so pages without those links cost no query."""

    def __str__(self) -> str:
        return str(int(self))

    def __int__(self) -> int:
        if "nav_year" not in g:
            g.nav_year = menu_year()
        return g.nav_year

    __index__ = __int__


_nav_year = _NavYear()


class _NavRound:
    """The name of the round the menu's round links point at (see menu_round); lazy too."""

    def __str__(self) -> str:
        if "nav_round" not in g:
            g.nav_round = menu_round()
        return g.nav_round


_nav_round = _NavRound()


class _CountyLabel:
    """The county's name in the page header, read once per request and only when shown."""

    def __str__(self) -> str:
        if "county_label" not in g:
            g.county_label = county_name()
        return g.county_label


_county_label = _CountyLabel()


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(auth_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(oversight_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(county_bp)
    app.register_blueprint(register_bp)
    app.register_blueprint(account_bp)
    init_account(app)
    app.register_blueprint(survey_bp)
    init_notices(app)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(archive_bp)
    # -- boards, progress and round administration blueprints --
    app.register_blueprint(board_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(round_admin_bp)
    # -- API blueprints --
    init_api(app)
    app.register_blueprint(api_tokens_bp)


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        return render_template(
            "error.html",
            title=gettext("Form expired"),
            message=gettext(
                "The form expired or was not sent from huitou. "
                "Go back, reload the page and try again."
            ),
        ), 400

    @app.errorhandler(403)
    def forbidden(exc: Exception) -> tuple[str, int]:
        return render_template(
            "error.html", title=gettext("Not allowed"), message=getattr(exc, "description", "")
        ), 403

    @app.errorhandler(404)
    def not_found(exc: Exception) -> tuple[str, int]:
        return render_template(
            "error.html",
            title=gettext("Not found"),
            message=_domain_description(exc) or gettext("The page or record does not exist."),
        ), 404

    @app.errorhandler(405)
    def wrong_method(exc: Exception) -> tuple[str, int]:
        return render_template(
            "error.html",
            title=gettext("Not possible here"),
            message=gettext("This page cannot be used that way. Go back and use its buttons."),
        ), 405

    @app.errorhandler(500)
    def server_error(exc: Exception) -> tuple[str, int]:
        db.session.rollback()
        original = getattr(exc, "original_exception", None) or exc
        app.logger.error("unhandled error on %s", request.path, exc_info=original)
        return render_template(
            "error.html",
            title=gettext("Something went wrong"),
            message=gettext(
                "huitou could not finish this. Nothing was half-saved: try again, and if it "
                "happens again tell the county office what you were doing and when."
            ),
        ), 500

    @app.errorhandler(413)
    def too_large(exc: Exception) -> tuple[str, int]:
        return render_template(
            "error.html",
            title=gettext("File too large"),
            message=gettext("Uploads are limited to 20 MB."),
        ), 413
