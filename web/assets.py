"""Static assets served by the app itself, so pages work on a closed network.

Plotly's JavaScript comes from the installed ``plotly`` package (same version as the
Python side that builds the figures), at ``/static/vendor/plotly.min.js``. Every
response also carries a Content-Security-Policy that allows scripts, styles, images
and fetches from this site only: a page that tried a CDN would fail in the browser
tests, not silently work online.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from flask import Flask, Response, send_from_directory

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_JS = "plotly.min.js"
ONE_DAY_S = 86400
# Plotly sets styles on the elements it draws, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'"
)


def init_app(app: Flask) -> None:
    app.add_url_rule("/static/vendor/plotly.min.js", "plotly_js", plotly_js)
    app.after_request(security_headers)


def plotly_js() -> Response:
    return send_from_directory(PLOTLY_DIR, PLOTLY_JS, max_age=ONE_DAY_S)


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
