"""The owner's brand (name, tagline, logo) and the shop's own pages (contact, shipping and
returns, privacy, terms), written as Markdown in the instance folder."""

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, render_template, send_file
from markdown_it import MarkdownIt
from markupsafe import Markup

log = logging.getLogger(__name__)

# The demo catalog sells kitchenware, so the demo shop has a name that fits it; an owner sets
# SHOP_NAME (and SHOP_TAGLINE) to their own.
DEFAULT_NAME = "Kitchen & Table"
DEFAULT_TAGLINE = "Good things for the kitchen and the table."
LOGO_NAMES = ("logo.svg", "logo.png", "logo.webp", "logo.jpg")
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".webp": "image/webp",
              ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}

# The pages the footer links to: URL slug → the link's words. Each page's text is
# instance/pages/<slug>.md when the owner has written it, else the default in shop/pages/.
PAGES = {"contact": "Contact", "shipping-returns": "Shipping & returns",
         "privacy": "Privacy", "terms": "Terms"}
DEFAULT_PAGES = Path(__file__).parent / "pages"

bp = Blueprint("storefront", __name__)


@dataclass(frozen=True)
class Brand:
    name: str
    tagline: str
    logo_path: str | None  # an owner's logo file, served at /brand/logo


def _markdown() -> MarkdownIt:
    # CommonMark with raw HTML off: an owner's text can format, never inject markup or
    # scripts; markdown-it also refuses javascript: and data: links.
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["replacements", "smartquotes", "table"])


def find_logo(app: Flask) -> str | None:
    """The logo file: SHOP_LOGO (a path, relative to the instance folder) or a logo.* there."""
    configured = app.config.get("SHOP_LOGO")
    candidates = [configured] if configured else LOGO_NAMES
    for name in candidates:
        path = os.path.join(app.instance_path, name)
        if os.path.isfile(path) and Path(path).suffix.lower() in LOGO_TYPES:
            return path
    if configured:
        log.warning("SHOP_LOGO %s is not an SVG, PNG, WebP or JPEG file; showing no logo",
                    configured)
    return None


def brand() -> Brand:
    return current_app.extensions["shop.brand"]


@dataclass(frozen=True)
class Page:
    title: str
    html: Markup


def render_page(text: str) -> Page:
    """An owner's Markdown as HTML; its first heading is the page's title."""
    md = _markdown()
    tokens = md.parse(text)
    title = next((tokens[i + 1].content for i, t in enumerate(tokens)
                  if t.type == "heading_open" and i + 1 < len(tokens)), "")
    return Page(title=title, html=Markup(md.renderer.render(tokens, md.options, {})))


def page_source(slug: str) -> str:
    """The page's Markdown: the owner's file in the instance folder, else the shipped default."""
    own = Path(current_app.instance_path) / "pages" / f"{slug}.md"
    path = own if own.is_file() else DEFAULT_PAGES / f"{slug}.md"
    return path.read_text(encoding="utf-8").replace("{shop}", brand().name)


@bp.get("/<any(contact, 'shipping-returns', privacy, terms):slug>")
def page(slug: str):
    """One of the owner's pages: contact, shipping & returns, privacy, terms."""
    if slug not in PAGES:
        abort(404)
    content = render_page(page_source(slug))
    return render_template("storefront/page.html", page=content,
                           title=content.title or PAGES[slug])


@bp.get("/brand/logo")
def logo():
    """The owner's logo file."""
    path = brand().logo_path
    if path is None:
        abort(404)
    return send_file(path, mimetype=LOGO_TYPES[Path(path).suffix.lower()], max_age=3600)


def init_storefront(app: Flask) -> None:
    """Read the brand once at start; register the owner's pages."""
    if not app.config.get("SHOP_NAME"):
        app.config["SHOP_NAME"] = DEFAULT_NAME
    if app.config.get("SHOP_TAGLINE") is None:
        app.config["SHOP_TAGLINE"] = DEFAULT_TAGLINE
    app.extensions["shop.brand"] = Brand(name=str(app.config["SHOP_NAME"]).strip(),
                                         tagline=str(app.config["SHOP_TAGLINE"]).strip(),
                                         logo_path=find_logo(app))
    app.register_blueprint(bp)
