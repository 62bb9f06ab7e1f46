"""Photos from the public: checked, turned upright, shrunk and re-encoded without metadata.

Re-encoding from pixels is what removes EXIF, GPS and every other block a camera writes; copying
the file, or deleting tags one by one, would not.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SIDE_PX = 2048
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Pillow warns above ~89 million pixels and refuses at twice that; refuse early with a message.
MAX_PIXELS = 60_000_000


def reencode_image(upload, *, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[ContentFile, int, int]:
    """A clean copy of an uploaded image as (file, width, height); ValidationError if unusable."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("The photo is too big: it must be %(limit)s MB or smaller.")
            % {"limit": max_bytes // (1024 * 1024)},
            code="too_big",
        )
    data = upload.read()
    if len(data) > max_bytes:
        raise ValidationError(_("The photo is too big."), code="too_big")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(
                    _("The photo must be a JPEG, PNG or WebP image."), code="format"
                )
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="too_many_pixels")
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The file is not a photo we can read: use a JPEG, PNG or WebP image."),
            code="not_image",
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The photo is damaged or cut short: try taking or saving it again."),
            code="damaged",
        ) from None

    fmt = image.format
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    if fmt == "JPEG":
        image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    # A fresh image from the pixels alone: no info dict, no EXIF, no ICC or XMP blocks.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    options = {"quality": 85, "optimize": True} if fmt in {"JPEG", "WEBP"} else {"optimize": True}
    clean.save(out, format=fmt, **options)
    name = f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[fmt]}"
    return ContentFile(out.getvalue(), name=name), clean.width, clean.height


def _degrees(value, ref: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    result = degrees + minutes / 60 + seconds / 3600
    return -result if ref in {"S", "W"} else result


def exif_gps(data: bytes) -> tuple[float, float] | None:
    """The (lat, lon) a photo's EXIF says it was taken at, if any; only to suggest a pin.

    The point is never stored with the photo: `reencode_image` throws all EXIF away.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            gps = image.getexif().get_ifd(0x8825)
        if not gps or 2 not in gps or 4 not in gps:
            return None
        lat = _degrees(gps[2], gps.get(1, "N"))
        lon = _degrees(gps[4], gps.get(3, "E"))
    except (OSError, SyntaxError, ValueError, TypeError, ZeroDivisionError, UnidentifiedImageError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon
