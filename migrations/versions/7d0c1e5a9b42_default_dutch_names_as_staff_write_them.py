"""default Dutch names as Dutch staff write them

Revision ID: 7d0c1e5a9b42
Revises: 360f3d136eba
Create Date: 2026-12-02 11:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d0c1e5a9b42'
down_revision = '360f3d136eba'
branch_labels = None
depends_on = None

# (table, code, the Dutch name the default catalog gave, the one Dutch staff use;
# docs/glossary-nl.md). "Maatschappelijke opvang" is shelter, not social care.
RENAMED = [
    ('equipment_items', 'sharps_bin', 'Naaldcontainer', 'Naaldencontainer'),
    ('referral_types', 'social_care', 'Maatschappelijke opvang', 'Maatschappelijk werk'),
]


def _rename(old_index: int, new_index: int) -> None:
    """Rename only where the name is still the default: an admin's own name stays."""
    for row in RENAMED:
        table = sa.table(row[0], sa.column('code', sa.String()), sa.column('name_nl', sa.String()))
        op.execute(
            table.update()
            .where(table.c.code == row[1], table.c.name_nl == row[old_index])
            .values(name_nl=row[new_index])
        )


def upgrade():
    _rename(2, 3)


def downgrade():
    _rename(3, 2)
