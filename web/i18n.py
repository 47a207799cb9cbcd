"""Flask-Babel serves the pages simplified Chinese from the catalogues in
workflow/translations/ (one per area, merged), in Beijing time."""

from __future__ import annotations

import flask_babel
from flask import Flask
from flask_babel import Babel, Domain

from workflow.platform import i18n


class CatalogueDomain(Domain):
    """Flask-Babel's domain, reading huitou's merged catalogue instead of compiled .mo folders."""

    def get_translations(self):  # type: ignore[override]
        return i18n.translations()


def init_app(app: Flask) -> None:
    """Pages in zh_Hans_CN, dates in Asia/Shanghai, messages from the merged catalogue."""
    babel = Babel(configure_jinja=False)
    babel.init_app(
        app,
        default_locale="zh_Hans_CN",
        default_timezone="Asia/Shanghai",
        default_domain="messages",
        locale_selector=lambda: "zh_Hans_CN",
        timezone_selector=lambda: "Asia/Shanghai",
    )
    babel.domain_instance = CatalogueDomain()  # replaces Flask-Babel's per-folder domain
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # Chinese has one form: ngettext is the catalogue's, which uses the singular's translation.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        flask_babel.gettext, i18n.ngettext, newstyle=True
    )
