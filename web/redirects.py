"""Where a redirect may go: a path on this site, decided on the URL as a browser would read it.

Browsers drop tabs and line breaks inside a URL, strip leading control characters and spaces,
read a back slash as a slash and follow `//host` to another site, so `/\\evil.example`,
`/\\t/evil.example` or `%2F%2Fevil.example` leave the site although they start with one slash.
Anything with such characters, a scheme, a host, or an encoded slash or back slash where the
path begins is refused, and the caller's own default page is used instead.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# C0 and C1 control characters, DEL, spaces of every kind, and the back slash.
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\\s]")
_LONGEST = 2000


def local_target(raw: str | None, *, prefix: str = "/") -> str | None:
    """The path (with query) to redirect to, if it stays on this site under prefix; else None."""
    if not raw or len(raw) > _LONGEST or _UNSAFE.search(raw):
        return None
    decoded = unquote(raw)
    if _UNSAFE.search(decoded) or decoded.startswith("//") or not raw.startswith("/"):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith(prefix):
        return None
    if prefix != "/" and not (parts.path == prefix or parts.path[len(prefix)] in "/?"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
