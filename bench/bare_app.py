"""The yardstick: a bare Flask app with one cheap route for each path the benchmark drives.

JSON paths answer a small list (or object) built once in memory, in the shapes the shop's API
answers; pages answer a small HTML page. No database, no extensions, no templates: what Flask
itself costs per request, served by the same gunicorn settings as the shop.

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py bench.bare_app:app
"""

from flask import Flask

app = Flask(__name__)

ORDERS = [
    {"id": n, "userId": 1, "date": "2026-01-01T12:00:00Z",
     "products": [{"id": p, "name": f"Product {p}", "quantity": 1, "priceInCents": 1000 + p}
                  for p in range(1, 5)],
     "amountInCents": 4010, "clientSecret": f"pi_{n}_secret_x", "status": "pending",
     "currency": "usd", "paymentError": None}
    for n in range(1, 11)
]
PRODUCTS = [
    {"id": n, "name": f"Product {n}", "description": "A product.", "priceInCents": 1000 + n,
     "stock": 100, "imageUrl": None}
    for n in range(1, 13)
]
PAGE = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Hello</title></head>"
        "<body><h1>Hello</h1><p>A small page.</p></body></html>")


@app.get("/orders")
def orders():
    return ORDERS


@app.get("/orders/<int:order_id>")
def order(order_id: int):
    return ORDERS[order_id % len(ORDERS)]


@app.get("/products")
def products():
    return PRODUCTS


@app.post("/orders/new")
def new_order():
    return ORDERS[0], 201


@app.get("/")
@app.get("/hello")
@app.get("/cart")
@app.get("/account/orders")
@app.get("/staff/orders")
@app.get("/staff/leads")
def page():
    return PAGE
