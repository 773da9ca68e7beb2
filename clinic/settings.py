"""Clinic-level settings, stored per clinic in the database (so several app hosts share them) and
edited by the clinic's administrators on /admin/clinic.

Call :func:`for_clinic` for plain values (reports, patient pages and emails use it) and
:func:`engine_overrides` for the assessment-engine settings a clinic may choose.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, fields

from flask import current_app

from assessments.config import Config

from .db import db
from .models import Clinic

LOGO_MAX_BYTES = 256 * 1024
LOGO_MAX_PIXELS = 2000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
POSTNATAL_WINDOW_RANGE = (3, 24)
"""Clinical policy 2: the postnatal window is 12 months by default; a clinic may choose within this."""


@dataclass(frozen=True)
class ClinicSettings:
    id: int
    name: str
    address: str
    phone: str
    email: str
    alert_email: str
    logo: bytes | None
    logo_mime: str | None
    postnatal_window_months: int | None


def for_clinic(clinic: Clinic | int) -> ClinicSettings:
    """The clinic's settings as plain values (empty strings for what is not set)."""
    if isinstance(clinic, int):
        clinic = db.session.get(Clinic, clinic)
    return ClinicSettings(id=clinic.id, name=clinic.name, address=clinic.address or "", phone=clinic.phone or "",
                          email=clinic.email or "", alert_email=clinic.alert_email or "", logo=clinic.logo,
                          logo_mime=clinic.logo_mime, postnatal_window_months=clinic.postnatal_window_months)


def engine_keys() -> set[str]:
    return {f.name for f in fields(Config)}


def engine_overrides(clinic: Clinic | int | None) -> dict:
    """Assessment-engine settings the clinic chose, limited to keys the engine knows on this
    version (``postnatal_window_months`` is applied once assessments.config has it)."""
    if clinic is None:
        return {}
    settings = for_clinic(clinic)
    out = {}
    if settings.postnatal_window_months is not None and "postnatal_window_months" in engine_keys():
        out["postnatal_window_months"] = settings.postnatal_window_months
    return out


def engine_config_for(clinic: Clinic | int | None) -> Config:
    """The app's ASSESSMENT_CONFIG with the clinic's own choices on top."""
    base = dict(current_app.config.get("ASSESSMENT_CONFIG") or {})
    base.update(engine_overrides(clinic))
    return Config.from_mapping(base)


def check_logo(data: bytes) -> tuple[str | None, str | None]:
    """(mime, None) for an acceptable PNG or JPEG logo, else (None, message for the form)."""
    if not data:
        return None, "The file is empty."
    if len(data) > LOGO_MAX_BYTES:
        return None, f"Use an image of at most {LOGO_MAX_BYTES // 1024} KB."
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None, "That file is not a PNG or JPEG image."
    if fmt not in LOGO_FORMATS:
        return None, "Use a PNG or JPEG image."
    if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
        return None, f"Use an image at most {LOGO_MAX_PIXELS} pixels wide and high."
    return LOGO_FORMATS[fmt], None
