"""The migrations build the schema the models describe; unexpected errors stay polite."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from shop import create_app
from shop.extensions import db
from tests.helpers import test_config


def triggers(conn) -> set[str]:
    """The names of the database's triggers (Alembic compares none)."""
    if conn.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    return set(conn.exec_driver_sql(query).scalars())


def test_migrations_create_exactly_the_models_schema(tmp_path, app_config):
    app = create_app(app_config)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
        with db.engine.connect() as conn:
            # The same options `flask db migrate` compares with (see include_in_autogenerate).
            options = app.extensions["migrate"].configure_args
            diff = compare_metadata(MigrationContext.configure(conn, opts=options), db.metadata)
            migrated_triggers = triggers(conn)
        assert diff == []
        # Leave the session's schema as the other tests expect it: built from the models.
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.create_all()
        with db.engine.connect() as conn:
            assert triggers(conn) == migrated_triggers
        assert len(migrated_triggers) == (3 if conn.dialect.name == "postgresql" else 9)
        db.session.remove()
        db.engine.dispose()


def test_an_unexpected_error_is_a_json_500_on_api_paths_and_html_on_pages(tmp_path):
    app = create_app(test_config(tmp_path))

    @app.get("/orders/boom-for-test")
    def boom():
        raise RuntimeError("kaboom")

    @app.get("/boom-for-test")
    def boom_page():
        raise RuntimeError("kaboom")

    client = app.test_client()
    api = client.get("/orders/boom-for-test")
    assert api.status_code == 500 and api.mimetype == "application/problem+json"
    assert "kaboom" not in api.get_data(as_text=True)
    page = client.get("/boom-for-test")
    assert page.status_code == 500 and page.mimetype == "text/html"
