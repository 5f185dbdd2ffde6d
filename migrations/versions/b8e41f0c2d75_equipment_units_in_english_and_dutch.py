"""equipment units in English and Dutch

Revision ID: b8e41f0c2d75
Revises: 7d0c1e5a9b42
Create Date: 2026-12-03 14:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e41f0c2d75'
down_revision = '7d0c1e5a9b42'
branch_labels = None
depends_on = None

# The default catalog's items, their English unit and its Dutch as Dutch staff write it
# (docs/glossary-nl.md): a Dutch "kit" is a sealant, so a naloxone kit comes as a "set".
DEFAULT_UNITS = [
    ('syringe_1ml', 'piece', 'stuk'),
    ('syringe_2ml', 'piece', 'stuk'),
    ('needle', 'piece', 'stuk'),
    ('swab', 'piece', 'stuk'),
    ('water_ampoule', 'piece', 'stuk'),
    ('cooker', 'piece', 'stuk'),
    ('filter', 'piece', 'stuk'),
    ('foil', 'sheet', 'vel'),
    ('crack_pipe', 'piece', 'stuk'),
    ('naloxone_kit', 'kit', 'set'),
    ('condom', 'piece', 'stuk'),
    ('sharps_bin', 'piece', 'stuk'),
]

items = sa.table(
    'equipment_items',
    sa.column('code', sa.String()),
    sa.column('unit_en', sa.String()),
    sa.column('unit_nl', sa.String()),
)


def upgrade():
    # An item's unit becomes its English unit and, until an admin gives it one, its Dutch unit
    # too; a default item whose unit is still the default English word gets the Dutch word.
    with op.batch_alter_table('equipment_items', schema=None) as batch_op:
        batch_op.alter_column('unit', new_column_name='unit_en', existing_type=sa.String(length=20), existing_nullable=False)
        batch_op.add_column(sa.Column('unit_nl', sa.String(length=20), nullable=True))
    op.execute('UPDATE equipment_items SET unit_nl = unit_en')
    for code, unit_en, unit_nl in DEFAULT_UNITS:
        op.execute(
            items.update()
            .where(items.c.code == code, items.c.unit_en == unit_en)
            .values(unit_nl=unit_nl)
        )
    with op.batch_alter_table('equipment_items', schema=None) as batch_op:
        batch_op.alter_column('unit_nl', existing_type=sa.String(length=20), nullable=False)


def downgrade():
    with op.batch_alter_table('equipment_items', schema=None) as batch_op:
        batch_op.drop_column('unit_nl')
        batch_op.alter_column('unit_en', new_column_name='unit', existing_type=sa.String(length=20), existing_nullable=False)
