"""orders version: users.orders_version, moved by triggers whenever one of a user's orders changes

Revision ID: 0006_orders_version
Revises: 0005_payments_ledger
Create Date: 2026-11-28 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_orders_version'
down_revision = '0005_payments_ledger'
branch_labels = None
depends_on = None

# The tables an order is shown from, and how a row of each names the order's user.
OWN_USER = "{row}.user_id"  # an order's
ORDERS_USER = "(SELECT user_id FROM orders WHERE id = {row}.order_id)"  # an item's, a dispute's
USER_OF = {"orders": OWN_USER, "order_items": ORDERS_USER, "disputes": ORDERS_USER}
BUMP = "UPDATE users SET orders_version = orders_version + 1 WHERE id = {user}"
OPERATIONS = (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('orders_version', sa.Integer(), server_default='0',
                                      nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE OR REPLACE FUNCTION orders_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE changed RECORD;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    IF TG_TABLE_NAME = 'orders' THEN
        {BUMP.format(user=OWN_USER.format(row="changed"))};
    ELSE
        {BUMP.format(user=ORDERS_USER.format(row="changed"))};
    END IF;
    RETURN NULL;
END $$""")
        for table in USER_OF:
            op.execute(f"CREATE CONSTRAINT TRIGGER {table}_orders_version AFTER INSERT OR UPDATE "
                       f"OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                       "EXECUTE FUNCTION orders_version_bump()")
    else:
        for table, user_of in USER_OF.items():
            for operation, row in OPERATIONS:
                op.execute(f"CREATE TRIGGER {table}_{operation.lower()}_orders_version AFTER "
                           f"{operation} ON {table} FOR EACH ROW BEGIN "
                           f"{BUMP.format(user=user_of.format(row=row))}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in USER_OF:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_orders_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS orders_version_bump()")
    else:
        for table in USER_OF:
            for operation, _ in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{operation.lower()}_orders_version")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('orders_version')
