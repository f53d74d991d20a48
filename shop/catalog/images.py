"""Product images: decoded and re-encoded with Pillow, stored under content-hashed names.

An upload is decoded (anything Pillow cannot read as JPEG, PNG or WebP is refused), turned
upright by its EXIF orientation, stripped of every metadata block (EXIF, GPS, ICC, XMP, text
chunks: only pixels are re-encoded), and written in the two sizes the pages show: a card
thumbnail and a product-page image, each as WebP and as a JPEG (or PNG when the image has
transparency) for browsers and scripts that lack WebP. Names carry a hash of the upload, so a
file never changes once written and may be cached for a year.
"""

import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from shop.exceptions import UnprocessableContent

# Square sizes in pixels, twice the CSS size the pages show them at (sharp on HiDPI screens).
SIZES = {"card": 480, "page": 960}
MAX_BYTES = 5 * 1024 * 1024
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp")
# Refuse images whose pixels would not fit in memory comfortably (a "decompression bomb").
MAX_PIXELS = 40_000_000
# Bump when the pipeline changes, so new files get new names.
PIPELINE = b"v1"


class ImageNotDecodable(UnprocessableContent):
    code = "image-not-decodable"
    title = "The image could not be read"


@dataclass(frozen=True)
class StoredImage:
    key: str
    fallback: str  # "jpg" or "png"

    def url(self, size: str, fmt: str | None = None) -> str:
        return "/media/" + file_name(self.key, size, fmt or self.fallback)


def file_name(key: str, size: str, fmt: str) -> str:
    return f"{key}-{SIZES[size]}.{fmt}"


def media_dir() -> Path:
    """Where images live: SHOP_MEDIA_DIR, by default instance/media/."""
    configured = current_app.config.get("SHOP_MEDIA_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "media"


def _decode(data: bytes) -> Image.Image:
    if not data:
        raise ImageNotDecodable("The body is empty: send the image's bytes.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["JPEG", "PNG", "WEBP"])
            if image.width * image.height > MAX_PIXELS:
                raise ImageNotDecodable(
                    f"The image is {image.width} × {image.height} pixels; at most "
                    f"{MAX_PIXELS:,} pixels in all.")
            image.load()
            return ImageOps.exif_transpose(image)
    except ImageNotDecodable:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageNotDecodable(
            f"This is not a JPEG, PNG or WebP image that can be read ({type(error).__name__})."
        ) from None


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "webp":
        image.save(out, "WEBP", quality=82, method=4)
    elif fmt == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def store(data: bytes) -> StoredImage:
    """Decode an upload, make every size and format, write them; returns their names."""
    image = _decode(data)
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    # Only pixels travel on: a fresh image carries no EXIF, ICC profile or text chunks.
    pixels = image.convert("RGBA" if transparent else "RGB")
    fallback = "png" if transparent else "jpg"
    key = hashlib.sha256(PIPELINE + data).hexdigest()[:20]
    folder = media_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for size, edge in SIZES.items():
        fitted = ImageOps.fit(pixels, (edge, edge), Image.Resampling.LANCZOS)
        for fmt in ("webp", fallback):
            path = folder / file_name(key, size, fmt)
            if not path.exists():
                # Written aside and renamed: a reader never sees half a file.
                partial = path.with_suffix(path.suffix + f".{os.getpid()}.part")
                partial.write_bytes(_encode(fitted, fmt))
                partial.replace(path)
    return StoredImage(key, fallback)
