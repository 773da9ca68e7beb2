"""row versions (optimistic locking) on assessments, episodes, patients and clinics; clinic
settings; red-flag alerts and their email deliveries; the signed-document archive

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 17:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("assessments", "episodes", "patients")


CLINIC_COLUMNS = (
    ("phone", sa.String(40)), ("email", sa.String(254)), ("alert_email", sa.String(254)),
    ("logo", sa.LargeBinary()), ("logo_mime", sa.String(40)), ("postnatal_window_months", sa.Integer()),
)


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("row_version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("clinics") as batch:
        for name, type_ in CLINIC_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
        batch.add_column(sa.Column("row_version", sa.Integer(), server_default="1", nullable=False))

    op.create_table(
        "alerts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.String(32), nullable=False),
        sa.Column("patient_id", sa.String(32), nullable=False),
        sa.Column("tier", sa.String(4), nullable=False),
        sa.Column("rule_ids", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("notify_user_id", sa.Integer(), nullable=True),
        sa.Column("link", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.Column("send_count", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("action_taken", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name="fk_alerts_clinic_id_clinics"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], name="fk_alerts_assessment_id_assessments"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_alerts_patient_id_patients"),
        sa.ForeignKeyConstraint(["notify_user_id"], ["users.id"], name="fk_alerts_notify_user_id_users"),
        sa.ForeignKeyConstraint(["acknowledged_by_id"], ["users.id"], name="fk_alerts_acknowledged_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
    )
    op.create_index("ix_alerts_clinic_open", "alerts", ["clinic_id", "acknowledged_at"])
    op.create_index("ix_alerts_assessment_id", "alerts", ["assessment_id"])
    op.create_index("ix_alerts_patient_id", "alerts", ["patient_id"])

    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.String(32), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(254), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("via", sa.String(10), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name="fk_alert_deliveries_alert_id_alerts"),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name="fk_alert_deliveries_clinic_id_clinics"),
        sa.PrimaryKeyConstraint("id", name="pk_alert_deliveries"),
    )
    op.create_index("ix_alert_deliveries_status", "alert_deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_alert_deliveries_alert_id", "alert_deliveries", ["alert_id"])

    op.create_table(
        "signed_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(32), nullable=False),
        sa.Column("assessment_id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("report_id", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("template_version", sa.String(40), nullable=False),
        sa.Column("rulebook_version", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("supersedes_version", sa.Integer(), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name="fk_signed_documents_clinic_id_clinics"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_signed_documents_patient_id_patients"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name="fk_signed_documents_assessment_id_assessments"),
        sa.ForeignKeyConstraint(["signed_by_id"], ["users.id"], name="fk_signed_documents_signed_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_signed_documents"),
        sa.UniqueConstraint("assessment_id", "version", "kind", name="uq_signed_documents_version_kind"),
    )
    op.create_index("ix_signed_documents_assessment_id", "signed_documents", ["assessment_id"])
    op.create_index("ix_signed_documents_patient_id", "signed_documents", ["patient_id"])


def downgrade() -> None:
    op.drop_table("signed_documents")
    op.drop_table("alert_deliveries")
    op.drop_table("alerts")
    with op.batch_alter_table("clinics") as batch:
        batch.drop_column("row_version")
        for name, _type in reversed(CLINIC_COLUMNS):
            batch.drop_column(name)
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("row_version")
