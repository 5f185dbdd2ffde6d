"""site and usual pack names in English and Dutch

Revision ID: 360f3d136eba
Revises: 564a2deb3062
Create Date: 2026-12-03 09:12:40.118402

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '360f3d136eba'
down_revision = '564a2deb3062'
branch_labels = None
depends_on = None

# The packs as the migration reads and writes them (JSON, on both databases).
sites = sa.table('sites', sa.column('id', sa.Integer()), sa.column('usual_packs', sa.JSON()))


def _rename_packs(rename) -> None:
    """Write every site's usual packs again, each pack changed by `rename`."""
    connection = op.get_bind()
    for site_id, packs in connection.execute(sa.select(sites.c.id, sites.c.usual_packs)).all():
        if packs:
            connection.execute(
                sites.update()
                .where(sites.c.id == site_id)
                .values(usual_packs=[rename(pack) for pack in packs])
            )


def _named_in_both(pack: dict) -> dict:
    name = pack.get('name', '')
    return {'name_en': name, 'name_nl': name, 'items': pack.get('items', {})}


def _named_in_english(pack: dict) -> dict:
    return {'name': pack.get('name_en', ''), 'items': pack.get('items', {})}


def upgrade():
    # The name a site had becomes its English name and, until an admin gives it one, its Dutch
    # name too; so do the names of its usual packs.
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.alter_column('name', new_column_name='name_en', existing_type=sa.String(length=120), existing_nullable=False)
        batch_op.add_column(sa.Column('name_nl', sa.String(length=120), nullable=True))
    op.execute('UPDATE sites SET name_nl = name_en')
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.alter_column('name_nl', existing_type=sa.String(length=120), nullable=False)
    _rename_packs(_named_in_both)


def downgrade():
    _rename_packs(_named_in_english)
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('name_nl')
        batch_op.alter_column('name_en', new_column_name='name', existing_type=sa.String(length=120), existing_nullable=False)
