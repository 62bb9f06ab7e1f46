import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from peoplezones.core.images import MAX_SIDE_PX, exif_gps, reencode_image

GPS = {1: "N", 2: (52.0, 46.0, 21.0), 3: "W", 4: (1.0, 11.0, 33.0)}


def _photo(
    fmt: str = "JPEG", size=(3000, 2000), *, orientation: int | None = None, gps=True
) -> bytes:
    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    exif[0x010F] = "SnoopCam"
    exif[0x0131] = "PhotoEditor 9"
    if gps:
        exif[0x8825] = GPS
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif)
    return out.getvalue()


def _upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_reencoded_photo_keeps_no_metadata_at_all(fmt):
    content, width, height = reencode_image(_upload(_photo(fmt)))

    stored = content.read()
    assert b"SnoopCam" not in stored
    assert b"PhotoEditor" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == fmt
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info
        assert max(image.size) == MAX_SIDE_PX
    assert (width, height) == (MAX_SIDE_PX, round(MAX_SIDE_PX * 2 / 3))


def test_photo_is_turned_upright_from_its_orientation_tag():
    # Orientation 6: the camera was turned; the stored photo must be portrait.
    _content, width, height = reencode_image(_upload(_photo(size=(400, 300), orientation=6)))

    assert (width, height) == (300, 400)


def test_exif_gps_suggests_the_pin_only():
    lat, lon = exif_gps(_photo(size=(50, 50)))

    assert lat == pytest.approx(52.7725, abs=1e-4)
    assert lon == pytest.approx(-1.1925, abs=1e-4)
    assert exif_gps(_photo(size=(50, 50), gps=False)) is None
    assert exif_gps(b"not an image") is None


def test_non_images_are_refused_clearly():
    with pytest.raises(ValidationError, match="not a photo we can read"):
        reencode_image(_upload(b"%PDF-1.7 a document"))


def test_truncated_photos_are_refused_clearly():
    data = _photo(size=(800, 600))

    with pytest.raises(ValidationError, match=r"damaged or cut short|not a photo"):
        reencode_image(_upload(data[: len(data) // 3]))


def test_decompression_bombs_are_refused():
    # A tiny PNG that claims to be 12,000 x 12,000 pixels.
    image = Image.new("1", (12_000, 12_000))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)

    with pytest.raises(ValidationError):
        reencode_image(_upload(out.getvalue(), "bomb.png"))


def test_oversized_files_are_refused_before_decoding():
    upload = _upload(b"x" * 100)
    upload.size = 11 * 1024 * 1024

    with pytest.raises(ValidationError, match="too big"):
        reencode_image(upload)


def test_gif_is_not_accepted():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")

    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        reencode_image(_upload(out.getvalue(), "a.gif"))
