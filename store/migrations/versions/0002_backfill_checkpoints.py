"""Backfill checkpoints: one row per (job, date chunk) with the cursor a resumed backfill continues from.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# JSONB on PostgreSQL, JSON text on SQLite (matches store.models.JSONType).
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('backfill_checkpoints',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('job_key', sa.Text(), nullable=False),
    sa.Column('chunk_since', sa.Date(), nullable=False),
    sa.Column('chunk_until', sa.Date(), nullable=False),
    sa.Column('cursor', JSON_TYPE, nullable=True),
    sa.Column('pages_done', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('items_seen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('new_items', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('done', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backfill_checkpoints')),
    sa.UniqueConstraint('job_key', 'chunk_since', 'chunk_until',
                        name=op.f('uq_backfill_checkpoints_job_key_chunk_since_chunk_until'))
    )


def downgrade() -> None:
    op.drop_table('backfill_checkpoints')
