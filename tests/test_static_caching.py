"""Static files whose URL carries their digest are cached for a year; others for an hour."""

import re


def test_versioned_static_files_are_kept_a_year(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/shop.css\?v=\w+)"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache_control
    assert "immutable" in cache_control and "public" in cache_control
    response.close()


def test_unversioned_static_files_are_asked_for_again_within_the_hour(client):
    response = client.get("/static/css/shop.css")
    assert response.status_code == 200
    assert "max-age=3600" in response.headers["Cache-Control"]
    assert "immutable" not in response.headers["Cache-Control"]
    response.close()


def test_a_missing_static_file_is_not_cached(client):
    response = client.get("/static/css/no-such-file.css?v=abc")
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("Cache-Control", "")
