"""Demo data for a fresh shop: a catalog, a lead pipeline and two users. Safe to run twice."""

from sqlalchemy import select

from shop.accounts import services as accounts
from shop.accounts.models import Role
from shop.catalog.models import Category, Product
from shop.catalog.services import slugify
from shop.extensions import db
from shop.leads.models import Lead, LeadStatus
from shop.shipping.services import install_default_methods, list_methods

DEMO_SHOPPER = ("shopper@example.com", "shopper-demo-pass")
DEMO_STAFF = ("staff@example.com", "staff-demo-pass")

PRODUCTS = [
    ("Ceramic Mug", "A 350 ml stoneware mug, glazed by hand.", 1400, 120, "mug"),
    ("Pour-Over Coffee Set", "Dripper, glass carafe and 100 paper filters.", 3800, 100,
     "pour-over"),
    ("Single-Origin Beans, 250 g", "Washed Ethiopian beans, roasted weekly.", 1650, 200, "beans"),
    ("Linen Tea Towel", "Stonewashed linen, 50 × 70 cm.", 1200, 150, "towel"),
    ("Walnut Cutting Board", "End-grain walnut, oiled, 30 × 20 cm.", 5900, 40, "board"),
    ("Cast-Iron Skillet", "Pre-seasoned, 26 cm, for every hob.", 4500, 100, "skillet"),
    ("Chef's Knife", "20 cm, high-carbon stainless steel.", 8900, 60, "knife"),
    ("Beeswax Wraps, set of 3", "Reusable food wraps in three sizes.", 1800, 180, "wraps"),
    ("Glass Storage Jar", "1 litre, airtight bamboo lid.", 950, 250, "jar"),
    ("Enamel Teapot", "1.2 litres, with a stainless steel infuser.", 4200, 100, "teapot"),
    ("Olive Wood Spoon", "Carved from a single piece of olive wood.", 1100, 300, "spoon"),
    ("Apron", "Heavy cotton canvas with leather straps.", 3400, 100, "apron"),
]

# Each demo product's category, by the product's picture name.
CATEGORIES = {
    "Coffee & Tea": ["mug", "pour-over", "beans", "teapot"],
    "Cookware": ["skillet", "knife", "board", "spoon"],
    "Kitchen Linen & Storage": ["towel", "wraps", "jar", "apron"],
}

LEAD_STATUSES = ["New", "Contacted", "Qualified", "Proposal", "Won", "Lost"]

LEADS = [
    ("Ada Byrne", "ada@northwind.example", "Northwind Cafés", 240000, "New"),
    ("Tomás Ruiz", "tomas@ruizdeli.example", "Ruiz Deli", 85000, "New"),
    ("Mei Chen", "mei@lotuskitchen.example", "Lotus Kitchen", 150000, "New"),
    ("Ola Nordmann", "ola@fjord.example", "Fjord Bakery", 62000, "Contacted"),
    ("Priya Raman", "priya@spiceroute.example", "Spice Route", 310000, "Contacted"),
    ("Jonas Weber", "jonas@weberhotel.example", "Hotel Weber", 540000, "Qualified"),
    ("Lucía Gómez", "lucia@mercado.example", "Mercado Central", 128000, "Qualified"),
    ("Sam Okafor", "sam@okaforcatering.example", "Okafor Catering", 275000, "Proposal"),
    ("Hanna Virtanen", "hanna@sauna.example", "Sauna & Brew", 93000, "Proposal"),
    ("Marco Bianchi", "marco@trattoria.example", "Trattoria Bianchi", 410000, "Won"),
    ("Aiko Tanaka", "aiko@matcha.example", "Matcha House", 77000, "Won"),
    ("Liam Walsh", "liam@harbour.example", "Harbour Pub", 56000, "Lost"),
]


def seed(config) -> list[str]:
    """Create whatever of the demo data is missing; returns lines to print."""
    lines = []
    categories = {c.name: c for c in db.session.scalars(select(Category))}
    for name in CATEGORIES:
        if name not in categories:
            categories[name] = Category(name=name, slug=slugify(name))
            db.session.add(categories[name])
    category_of = {picture: categories[name] for name, pictures in CATEGORIES.items()
                   for picture in pictures}
    existing = set(db.session.scalars(select(Product.name)))
    added = 0
    for name, description, price, stock, slug in PRODUCTS:
        if name not in existing:
            # Its opening stock goes into the ledger with it (see catalog.models).
            db.session.add(Product(name=name, description=description, price_in_cents=price,
                                   stock=stock, image_url=f"/static/img/products/{slug}.svg",
                                   category=category_of[slug]))
            added += 1
    db.session.commit()
    lines.append(f"Catalog: {len(PRODUCTS)} demo products ({added} added).")

    statuses = {s.name: s for s in db.session.scalars(select(LeadStatus))}
    if not statuses:
        for order, name in enumerate(LEAD_STATUSES, start=1):
            statuses[name] = LeadStatus(name=name, status_order=order)
            db.session.add(statuses[name])
        db.session.flush()
    if db.session.scalar(select(Lead.id).limit(1)) is None and all(
            name in statuses for name in LEAD_STATUSES):
        positions: dict[str, int] = {}
        for name, email, company, value, status in LEADS:
            positions[status] = positions.get(status, 0) + 1
            db.session.add(Lead(name=name, email=email, company=company, value_in_cents=value,
                                status=statuses[status], position=positions[status]))
    db.session.commit()
    lines.append(f"Lead pipeline: {len(statuses)} statuses.")

    # The migration offers these on a fresh install; a shop that has none gets them back.
    install_default_methods()
    lines.append("Shipping: " + ", ".join(m.name for m in list_methods()) + ".")

    for (email, password), role in ((DEMO_SHOPPER, Role.CUSTOMER), (DEMO_STAFF, Role.STAFF)):
        if accounts.user_by_email(email) is None:
            accounts.create_user(email, password, role)
        lines.append(f"Demo {role}: {email} / {password}")
    return lines
