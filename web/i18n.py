"""Flask-Babel serves each page in its reader's language (simplified Chinese by default, or
Uyghur, right to left) from the catalogues in workflow/translations/, in Beijing time.

The language of a request: the logged-in person's choice (`/me`), else the one remembered in a
cookie (the login page's switch), else the browser's Accept-Language, else Chinese.
"""

from __future__ import annotations

from typing import Any

import flask_babel
from flask import Flask, current_app, g, request
from flask_babel import Babel, Domain
from flask_login import current_user

from workflow.platform import i18n

COOKIE = "huitou_lang"
COOKIE_AGE = 365 * 24 * 3600


class CatalogueDomain(Domain):
    """Flask-Babel's domain, reading huitou's merged catalogues instead of compiled .mo folders."""

    def get_translations(self):  # type: ignore[override]
        return i18n.translations(i18n.current_language())


def request_language() -> str:
    """The language this request is answered in (see the module's docstring)."""
    user = current_user
    if user is not None and user.is_authenticated and getattr(user, "language", None):
        return i18n.known_language(user.language)
    remembered = request.cookies.get(COOKIE)
    if remembered in i18n.LANGUAGES:
        return remembered
    guess = request.accept_languages.best_match(list(i18n.LANGUAGES))
    return i18n.known_language(guess)


def remember_language(response: Any, language: str) -> None:
    """Keep a language chosen before logging in (the login page's switch) in a cookie."""
    response.set_cookie(
        COOKIE,
        i18n.known_language(language),
        max_age=COOKIE_AGE,
        samesite="Lax",
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),  # as the session's
    )


def init_app(app: Flask) -> None:
    """Pages in the request's language, dates in Asia/Shanghai, messages from the catalogues."""
    babel = Babel(configure_jinja=False)
    babel.init_app(
        app,
        default_locale="zh_Hans_CN",
        default_timezone="Asia/Shanghai",
        default_domain="messages",
        locale_selector=lambda: i18n.LANGUAGES[i18n.current_language()][0],
        timezone_selector=lambda: "Asia/Shanghai",
    )
    babel.domain_instance = CatalogueDomain()  # replaces Flask-Babel's per-folder domain
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # Neither language has plural forms after a number: ngettext is the catalogue's, which uses
    # the singular's translation.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        flask_babel.gettext, i18n.ngettext, newstyle=True
    )

    @app.before_request
    def choose_language() -> None:
        if request.endpoint == "static":
            return
        g.language_token = i18n.set_language(request_language())

    @app.teardown_request
    def forget_language(_exc: BaseException | None) -> None:
        token = g.pop("language_token", None)
        if token is not None:
            i18n.reset_language(token)

    @app.context_processor
    def page_language() -> dict[str, Any]:
        language = i18n.current_language()
        _locale, html_lang, direction = i18n.LANGUAGES[language]
        return {
            "page_language": language,
            "html_lang": html_lang,
            "html_dir": direction,
            "language_names": i18n.language_names(),
        }
