"""The app as gunicorn serves it, plus one bare endpoint for the side-by-side web benchmark."""

from __future__ import annotations

from clinic import create_app
from clinic.access import public

app = create_app()


@app.get("/bench/bare")
@public
def bare():
    return "ok"
