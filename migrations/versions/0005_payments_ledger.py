"""payments ledger: refunds, disputes, mismatches; 64-bit amounts; CHECK constraints

Revision ID: 0005_payments_ledger
Revises: 0004_shipping_mail
Create Date: 2026-11-28 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_payments_ledger'
down_revision = '0004_shipping_mail'
branch_labels = None
depends_on = None

ORDER_STATUSES = ('pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded')
REFUND_STATUSES = ('pending', 'succeeded', 'failed', 'canceled', 'requires_action')
DISPUTE_STATUSES = ('needs_response', 'under_review', 'won', 'lost')


def _in(column, values):
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.alter_column('amount_in_cents', existing_type=sa.Integer(),
                              type_=sa.BigInteger(), existing_nullable=False)
        batch_op.add_column(sa.Column('refunded_in_cents', sa.BigInteger(), nullable=False,
                                      server_default='0'))
        batch_op.create_check_constraint(op.f('ck_orders_amount_not_negative'),
                                         'amount_in_cents >= 0')
        batch_op.create_check_constraint(op.f('ck_orders_refunded_not_negative'),
                                         'refunded_in_cents >= 0')
        batch_op.create_check_constraint(op.f('ck_orders_refunded_within_amount'),
                                         'refunded_in_cents <= amount_in_cents')
        batch_op.create_check_constraint(op.f('ck_orders_status_known'),
                                         _in('status', ORDER_STATUSES))

    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_order_items_quantity_positive'),
                                         'quantity > 0')
        batch_op.create_check_constraint(op.f('ck_order_items_price_not_negative'),
                                         'price_in_cents >= 0')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_users_role_known'),
                                         "role IN ('customer', 'staff')")

    with op.batch_alter_table('offline_payment_intents', schema=None) as batch_op:
        batch_op.alter_column('amount', existing_type=sa.Integer(), type_=sa.BigInteger(),
                              existing_nullable=False)
        batch_op.alter_column('amount_refunded', existing_type=sa.Integer(),
                              type_=sa.BigInteger(), existing_nullable=False)

    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('amount_in_cents', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('provider_id', sa.String(length=255), nullable=True),
    sa.Column('failure_reason', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_in_cents > 0', name=op.f('ck_refunds_amount_positive')),
    sa.CheckConstraint(_in('status', REFUND_STATUSES), name=op.f('ck_refunds_status_known')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('provider_id', name=op.f('uq_refunds_provider_id'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_order_id'), ['order_id'], unique=False)

    op.create_table('disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=100), nullable=True),
    sa.Column('amount_in_cents', sa.BigInteger(), nullable=False),
    sa.Column('due_by', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_in_cents >= 0', name=op.f('ck_disputes_amount_not_negative')),
    sa.CheckConstraint(_in('status', DISPUTE_STATUSES), name=op.f('ck_disputes_status_known')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_disputes_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disputes')),
    sa.UniqueConstraint('order_id', name=op.f('uq_disputes_order_id')),
    sa.UniqueConstraint('provider_id', name=op.f('uq_disputes_provider_id'))
    )

    op.create_table('payment_mismatches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('intent_id', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('amount_in_cents', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_payment_mismatches_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_mismatches')),
    sa.UniqueConstraint('order_id', 'intent_id', name='uq_payment_mismatches_order_intent')
    )
    with op.batch_alter_table('payment_mismatches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_mismatches_order_id'), ['order_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payment_mismatches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_mismatches_order_id'))
    op.drop_table('payment_mismatches')
    op.drop_table('disputes')
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_order_id'))
    op.drop_table('refunds')
    with op.batch_alter_table('offline_payment_intents', schema=None) as batch_op:
        batch_op.alter_column('amount_refunded', existing_type=sa.BigInteger(),
                              type_=sa.Integer(), existing_nullable=False)
        batch_op.alter_column('amount', existing_type=sa.BigInteger(), type_=sa.Integer(),
                              existing_nullable=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role_known'), type_='check')
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_order_items_price_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_order_items_quantity_positive'), type_='check')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_orders_status_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_orders_refunded_within_amount'), type_='check')
        batch_op.drop_constraint(op.f('ck_orders_refunded_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_orders_amount_not_negative'), type_='check')
        batch_op.drop_column('refunded_in_cents')
        batch_op.alter_column('amount_in_cents', existing_type=sa.BigInteger(),
                              type_=sa.Integer(), existing_nullable=False)
