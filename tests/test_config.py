"""Configuration comes from defaults, instance/config.py and the environment."""

from flask import Flask

from shop.config import load_config, normalise_database_url


def test_environment_and_instance_config_are_read(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('SHOP_CURRENCY = "EUR"\nSECRET_KEY = "from-file"\n')
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql://shop@db/shop")
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    flask_app = Flask("t", instance_path=str(instance), instance_relative_config=True)
    load_config(flask_app)
    assert flask_app.config["SECRET_KEY"] == "from-env"
    assert flask_app.config["SHOP_CURRENCY"] == "eur"
    assert flask_app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://shop@db/shop"


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    flask_app = Flask("t", instance_path=str(tmp_path / "instance"))
    load_config(flask_app)
    assert flask_app.config["SQLALCHEMY_DATABASE_URI"] == \
        f"sqlite:///{tmp_path / 'instance' / 'shop.sqlite'}"
    assert flask_app.config["STRIPE_SECRET_KEY"] is None


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"
