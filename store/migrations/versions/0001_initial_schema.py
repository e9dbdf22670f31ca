"""Initial schema: sources, items, claims, evidence, the alert outbox and deliveries, runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# JSONB on PostgreSQL, JSON text on SQLite (matches store.models.JSONType).
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('claims',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('family', sa.Text(), server_default='general', nullable=False),
    sa.Column('payload', JSON_TYPE, nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims'))
    )
    op.create_table('items',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), server_default='', nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.Column('published', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source_id', sa.Text(), server_default='', nullable=False),
    sa.Column('publisher', sa.Text(), server_default='', nullable=False),
    sa.Column('extra', JSON_TYPE, nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items'))
    )
    op.create_index('ix_items_first_seen_at', 'items', ['first_seen_at'], unique=False)
    op.create_index('ix_items_source_id', 'items', ['source_id'], unique=False)
    op.create_index('uq_items_url', 'items', ['url'], unique=True, sqlite_where=sa.text("url <> ''"), postgresql_where=sa.text("url <> ''"))

    op.create_table('runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('flow_run_id', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='running', nullable=False),
    sa.Column('summary', JSON_TYPE, nullable=True),
    sa.CheckConstraint("kind IN ('monitor', 'backfill', 'demo')", name=op.f('ck_runs_kind')),
    sa.CheckConstraint("status IN ('running', 'completed', 'failed')", name=op.f('ck_runs_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs'))
    )
    op.create_index('ix_runs_started_at', 'runs', ['started_at'], unique=False)

    op.create_table('sources',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), server_default='feed', nullable=False),
    sa.Column('title', sa.Text(), server_default='', nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('last_fetched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Text(), nullable=True),
    sa.Column('last_http_status', sa.Integer(), nullable=True),
    sa.Column('last_error_kind', sa.Text(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('items_seen', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint("last_status IN ('ok', 'not_modified', 'error')", name=op.f('ck_sources_last_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources'))
    )
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('claim_id', sa.String(length=80), nullable=False),
    sa.Column('stance', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('why', sa.Text(), server_default='', nullable=False),
    sa.Column('story_id', sa.Text(), server_default='', nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("stance IN ('confirms', 'contradicts', 'mentions')", name=op.f('ck_evidence_stance')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_evidence_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_evidence_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('item_id', 'claim_id', name=op.f('uq_evidence_item_id_claim_id'))
    )
    op.create_index('ix_evidence_claim_stance_found', 'evidence', ['claim_id', 'stance', 'found_at'], unique=False)
    op.create_index('ix_evidence_found_at', 'evidence', ['found_at'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.String(length=80), nullable=False),
    sa.Column('story_key', sa.Text(), nullable=False),
    sa.Column('stance', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent')", name=op.f('ck_alerts_status')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_alerts_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_alerts_evidence_id_evidence'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('claim_id', 'story_key', 'stance', name=op.f('uq_alerts_claim_id_story_key_stance')),
    sa.UniqueConstraint('evidence_id', name=op.f('uq_alerts_evidence_id'))
    )
    op.create_index('ix_alerts_status_created_at', 'alerts', ['status', 'created_at'], unique=False)

    op.create_table('alert_deliveries',
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('ok', 'failed')", name=op.f('ck_alert_deliveries_status')),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_deliveries_alert_id_alerts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('alert_id', 'target', name=op.f('pk_alert_deliveries'))
    )


def downgrade() -> None:
    # Dropping a table drops its indexes; children first for the foreign keys.
    for table in ("alert_deliveries", "alerts", "evidence", "sources", "runs", "items", "claims"):
        op.drop_table(table)
