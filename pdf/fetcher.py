"""The one URL fetcher every report uses: deny by default.

It serves exactly two things:

* ``asset:NAME`` where ``NAME`` is a key of :data:`pdf.assets.ASSETS` (the stylesheet and the
  bundled fonts), read from the package folder by dictionary lookup - never by joining a path;
* ``data:`` URIs of at most :data:`MAX_DATA_URI` characters with a MIME type in
  :data:`DATA_MIME_TYPES` (the clinic logo).

Everything else - ``file:``, ``http:``, ``https:``, ``ftp:``, unknown assets, relative URLs,
other schemes - is refused and logged.  No network handler is ever used, so there are no
redirects to follow.  By default a refusal is *fatal* (``FatalURLFetchingError``): a report
whose HTML asked for anything else is broken or under attack, and must not be produced.
"""

from __future__ import annotations

import base64
import binascii
import logging
from urllib.parse import unquote_to_bytes

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .assets import ASSET_SCHEME, ASSETS, MIME_TYPES

LOG = logging.getLogger(__name__)

MAX_DATA_URI = 400_000
"""Longest ``data:`` URI served, in characters (a 256 KiB logo in base64 fits)."""

DATA_MIME_TYPES = ("image/png", "image/jpeg")


class RefusedURL(ValueError):
    """Raised (or chained under ``FatalURLFetchingError``) for every URL the fetcher refuses."""


class ReportURLFetcher(URLFetcher):
    """Deny-by-default fetcher: packaged assets and bounded image ``data:`` URIs only.

    :param fatal: raise ``FatalURLFetchingError`` on a refusal, which stops the render
        (default).  With ``False`` WeasyPrint logs a warning and carries on without the resource.
    """

    def __init__(self, *, fatal: bool = True):
        super().__init__(timeout=1, allowed_protocols={"data", ASSET_SCHEME}, allow_redirects=False,
                         fail_on_errors=fatal)
        # Drop urllib's handlers (http, https, ftp, file, ...): fetch() below never opens a URL,
        # and an empty opener cannot be talked into doing so either.
        self.handlers = []
        self.handle_open = {}
        self.handle_error = {}
        self.process_request = {}
        self.process_response = {}
        self._fatal = fatal

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            return self._serve(url)
        except RefusedURL as error:
            LOG.warning("report fetcher refused %.200r: %s", url, error)
            if self._fatal:
                raise FatalURLFetchingError(f"report fetcher refused {url[:200]!r}: {error}") from error
            raise

    def open(self, url, data=None, timeout=None):  # urllib entry point: same rules
        return self.fetch(url if isinstance(url, str) else url.full_url)

    def _serve(self, url: str) -> URLFetcherResponse:
        if not isinstance(url, str):
            raise RefusedURL("not a string")
        scheme, sep, rest = url.partition(":")
        scheme = scheme.lower()
        if not sep:
            raise RefusedURL("relative URL")
        if scheme == ASSET_SCHEME:
            path = ASSETS.get(rest)
            if path is None:
                raise RefusedURL("not a packaged asset")
            suffix = path.suffix.lower()
            return URLFetcherResponse(url, path.read_bytes(),
                                      {"Content-Type": MIME_TYPES.get(suffix, "application/octet-stream")})
        if scheme == "data":
            return _data_uri(url)
        raise RefusedURL(f"scheme {scheme!r} is not allowed")


def _data_uri(url: str) -> URLFetcherResponse:
    if len(url) > MAX_DATA_URI:
        raise RefusedURL(f"data: URI longer than {MAX_DATA_URI} characters")
    header, comma, payload = url[len("data:"):].partition(",")
    if not comma:
        raise RefusedURL("malformed data: URI")
    params = [p.strip().lower() for p in header.split(";")]
    mime = params[0]
    if mime not in DATA_MIME_TYPES:
        raise RefusedURL(f"data: URI type {mime!r} is not allowed")
    if "base64" in params[1:]:
        try:
            body = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as error:
            raise RefusedURL("bad base64 in data: URI") from error
    else:
        body = unquote_to_bytes(payload)
    return URLFetcherResponse(url, body, {"Content-Type": mime})


__all__ = ["DATA_MIME_TYPES", "MAX_DATA_URI", "RefusedURL", "ReportURLFetcher"]
