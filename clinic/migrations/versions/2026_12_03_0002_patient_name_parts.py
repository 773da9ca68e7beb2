"""patient name parts: every word of a patient's names is searchable by prefix
("castillo" finds "Demo-Castillo", "obrien" finds "O'Brien"); the given-name index it replaces
is dropped

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 18:40:00
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of clinic.models.name_parts as of this revision (a migration must not change
# meaning when the application code changes later).
NAME_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2013.,/()\[\]]+")
APOSTROPHES = re.compile(r"['\u2019\u02bc`]")
LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ß": "ss",
                         "ı": "i", "ħ": "h", "ŧ": "t"})
"""Letters that Unicode does not decompose into a base letter, spelled as a keyboard without them would."""


def _key(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower().strip()


def _parts(given: str, family: str) -> set[str]:
    parts: set[str] = set()
    for value in (given, family):
        key = _key(value)
        for candidate in (key, *NAME_SEPARATORS.split(key)):
            candidate = candidate.strip()
            if candidate:
                for form in (candidate, APOSTROPHES.sub("", candidate), *APOSTROPHES.split(candidate)):
                    if form:
                        parts.add(form[:100])
                        parts.add(form.translate(LETTERS)[:100])
    parts.discard("")
    return parts


def upgrade() -> None:
    table = op.create_table('patient_name_parts',
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.String(length=100).with_variant(sa.String(length=100, collation='C'), 'postgresql'),
              nullable=False),
    sa.Column('patient_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_patient_name_parts_clinic_id_clinics')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_patient_name_parts_patient_id_patients'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('clinic_id', 'part', 'patient_id', name=op.f('pk_patient_name_parts'))
    )
    with op.batch_alter_table('patient_name_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_name_parts_patient_id'), ['patient_id'], unique=False)

    connection = op.get_bind()
    patients = sa.table('patients', sa.column('id'), sa.column('clinic_id'), sa.column('given_name'),
                        sa.column('family_name'))
    batch = []
    for row in connection.execute(sa.select(patients).execution_options(yield_per=5000)):
        batch.extend({"clinic_id": row.clinic_id, "part": part, "patient_id": row.id}
                     for part in _parts(row.given_name, row.family_name))
        if len(batch) >= 5000:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)

    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index('ix_patients_clinic_given')


def downgrade() -> None:
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index('ix_patients_clinic_given', ['clinic_id', 'given_key'], unique=False)
    with op.batch_alter_table('patient_name_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_name_parts_patient_id'))
    op.drop_table('patient_name_parts')
