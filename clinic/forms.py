"""WTForms for the clinic pages.  Every field validates on the server with a message next to it."""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import (
    DateField as _DateField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .models import COMPLAINTS, SEXES

DATE_MESSAGE = "Enter a real date, for example 1988-04-21."
EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
PHONE_RE = re.compile(r"^[0-9+() .\-]{6,40}$")
IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9 \-/]{1,40}$")


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _collapse(value):
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else value


def valid_email(_form, field) -> None:
    if field.data and not EMAIL_RE.match(field.data):
        raise ValidationError("Enter an email address like name@example.org.")


def not_future(_form, field) -> None:
    if field.data and field.data > dt.date.today():
        raise ValidationError("This date is in the future.")


class DateField(_DateField):
    """A date input whose parse error tells the user what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(DATE_MESSAGE) from None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField("Email address", filters=[_strip, lambda v: v.lower() if v else v],
                       validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=1024)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired("Enter your current password.")])
    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password.")],
                                 description="At least 15 characters. A few unrelated words work well.")
    confirm_password = PasswordField("Confirm new password",
                                     validators=[DataRequired("Enter the new password again.")])

    def validate_confirm_password(self, field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError("The two new passwords do not match.")


class PatientForm(FlaskForm):
    given_name = StringField("Given name", filters=[_collapse],
                             validators=[DataRequired("Enter the patient's given name."),
                                         Length(max=100, message="Keep this to 100 characters or fewer.")])
    family_name = StringField("Family name", filters=[_collapse],
                              validators=[DataRequired("Enter the patient's family name."),
                                          Length(max=100, message="Keep this to 100 characters or fewer.")])
    date_of_birth = DateField("Date of birth", validators=[InputRequired(DATE_MESSAGE), not_future],
                              description="For example 1988-04-21.")
    sex = SelectField("Sex", choices=choices([("", "Choose…"), *SEXES]),
                      validators=[DataRequired("Choose the patient's sex, or 'Prefer not to say'.")])
    email = EmailField("Email (optional)", filters=[_strip],
                       validators=[Optional(), Length(max=254), valid_email],
                       description="Used to send pre-visit questionnaire links.")
    phone = StringField("Phone (optional)", filters=[_strip],
                        validators=[Optional(), Length(max=40)])
    identifier = StringField("Record number (optional)", filters=[_collapse],
                             validators=[Optional(), Length(max=40)],
                             description="For example an NHS number or your clinic's record number.")

    def validate_date_of_birth(self, field) -> None:
        if field.data and field.data < dt.date(1900, 1, 1):
            raise ValidationError("Enter a date of birth after 1900.")

    def validate_phone(self, field) -> None:
        if field.data and not PHONE_RE.match(field.data):
            raise ValidationError("Use digits, spaces and + ( ) - only.")

    def validate_identifier(self, field) -> None:
        if field.data and not IDENTIFIER_RE.match(field.data):
            raise ValidationError("Use letters, digits, spaces, - and / only.")


class EpisodeForm(FlaskForm):
    complaints = MultiCheckboxField("What is this episode of care about?", choices=choices(COMPLAINTS),
                                    validators=[DataRequired("Choose at least one complaint.")])
    title = StringField("Short title (optional)", filters=[_collapse],
                        validators=[Optional(), Length(max=200, message="Keep this to 200 characters or fewer.")],
                        description="For example: Leakage on long runs since second baby.")
    opened_on = DateField("Opened on", default=dt.date.today,
                          validators=[InputRequired(DATE_MESSAGE), not_future])


class CloseEpisodeForm(FlaskForm):
    closed_on = DateField("Closed on", default=dt.date.today,
                          validators=[InputRequired(DATE_MESSAGE), not_future])


class UserForm(FlaskForm):
    name = StringField("Full name", filters=[_collapse],
                       validators=[DataRequired("Enter the person's name."), Length(max=200)])
    email = EmailField("Email address", filters=[_strip, lambda v: v.lower() if v else v],
                       validators=[DataRequired("Enter an email address."), Length(max=254), valid_email])
    job_title = StringField("Job title (optional)", filters=[_collapse],
                            validators=[Optional(), Length(max=200)],
                            description="Printed in the sign-off block of reports.")
    role = SelectField("Role", choices=choices([("clinician", "Clinician"), ("admin", "Clinic administrator")]))
    password = PasswordField("Temporary password",
                             validators=[DataRequired("Enter a temporary password.")],
                             description="They will be asked to choose their own at first sign-in.")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New temporary password",
                             validators=[DataRequired("Enter a temporary password.")],
                             description="They must choose their own at their next sign-in.")


class ConfirmForm(FlaskForm):
    """A POST button with nothing but the CSRF token."""


class AmendReasonForm(FlaskForm):
    reason = TextAreaField("Reason for the amendment",
                           validators=[DataRequired("Say why the signed assessment is being changed."),
                                       Length(max=1000)])



class AcknowledgeAlertForm(FlaskForm):
    action_taken = TextAreaField("What was done",
                                 validators=[DataRequired("Say what was done, for example 'Phoned the patient; "
                                                          "GP appointment booked for today'."),
                                             Length(max=2000, message="Keep this to 2000 characters.")])


class ClinicSettingsForm(FlaskForm):
    """An administrator's clinic settings (clinic.settings); the logo is checked in the view."""

    name = StringField("Clinic name", filters=[_collapse],
                       validators=[DataRequired("Enter the clinic's name."), Length(max=200)])
    address = StringField("Address", filters=[_collapse], validators=[Optional(), Length(max=300)],
                          description="One line, printed on reports.")
    phone = StringField("Phone", filters=[_strip], validators=[Optional(), Length(max=40)],
                        description="Printed on reports and shown to patients.")
    email = EmailField("Clinic email", filters=[_strip], validators=[Optional(), Length(max=254)])
    alert_email = EmailField("Red-flag alert address", filters=[_strip], validators=[Optional(), Length(max=254)],
                             description="Alerts go here as well as to the clinician who sent the link.")
    postnatal_window_months = IntegerField(
        "Postnatal window (months)", validators=[Optional()],
        description="Postnatal rules apply to births within this many months (3 to 24). Leave empty for the "
                    "default of 12 months.")
    logo = FileField("Logo", description="A PNG or JPEG image of at most 256 KB, printed on reports.")
    remove_logo = BooleanField("Remove the current logo")

    def validate_phone(self, field):
        if field.data and not PHONE_RE.match(field.data):
            raise ValidationError("Enter a phone number using digits, spaces and + ( ) - only.")

    def validate_email(self, field):
        if field.data and not EMAIL_RE.match(field.data):
            raise ValidationError("Enter an email address like name@example.org.")

    def validate_alert_email(self, field):
        if field.data and not EMAIL_RE.match(field.data):
            raise ValidationError("Enter an email address like name@example.org.")

    def validate_postnatal_window_months(self, field):
        if field.data is not None and not 3 <= field.data <= 24:
            raise ValidationError("Choose between 3 and 24 months.")


# --------------------------------------------------------------------------- issue 13 (helper C)

class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", filters=[_strip, lambda v: v.lower() if v else v],
                       validators=[DataRequired("Enter your email address."), Length(max=254), valid_email])


class NewPasswordForm(FlaskForm):
    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password.")],
                                 description="At least 15 characters. A few unrelated words work well.")
    confirm_password = PasswordField("Confirm new password",
                                     validators=[DataRequired("Enter the new password again.")])

    def validate_confirm_password(self, field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError("The two new passwords do not match.")


class MfaCodeForm(FlaskForm):
    code = StringField("Code", filters=[_strip], validators=[DataRequired("Enter the code."), Length(max=32)],
                       description="The 6 digits your authenticator app shows, or one of your backup codes.")


class ConfirmIdentityForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=1024)])
    code = StringField("Code from your authenticator app (if you use one)", filters=[_strip],
                       validators=[Optional(), Length(max=32)])


class EraseForm(FlaskForm):
    """An administrator erases a patient's record (clinic.privacy): the reason is kept with it."""

    reason = TextAreaField("Reason", validators=[DataRequired("Say why the record is being erased, for example "
                                                              "the patient's request and its date."),
                                                 Length(max=500, message="Keep the reason under 500 characters.")],
                           description="For example: \"Erasure request by email, 3 December 2026\". "
                                       "Do not write clinical details here.")
    confirm = BooleanField("I have checked that this is the right patient",
                           validators=[DataRequired("Tick the box to confirm this is the right patient.")])
