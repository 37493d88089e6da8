"""Case photos: what `photo_clean` accepts, what it refuses, and what it hands back."""

import io
import os
import pickle
import re
import struct
import time
import zlib
from datetime import UTC, date

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageFile

from workflows import photos
from workflows.photos import PhotoRejected, photo_clean, photo_upload_to

UUID_JPG = r"^[0-9a-f]{32}\.jpg$"


def image_bytes(image: Image.Image, format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **params)
    return buffer.getvalue()


def upload(data: bytes, name: str = "IMG_0001.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def opened(result) -> Image.Image:
    result.seek(0)
    return Image.open(io.BytesIO(result.read()))


def rejection(data: bytes, name: str = "photo.jpg") -> str:
    with pytest.raises(PhotoRejected) as caught:
        photo_clean(upload(data, name))
    return caught.value.code


def png_claiming(width: int, height: int) -> bytes:
    """A real 1×1 PNG whose IHDR is rewritten to claim another size, with a valid CRC."""
    png = bytearray(image_bytes(Image.new("RGB", (1, 1)), "PNG"))
    ihdr = 8 + 4  # signature, then the chunk length; the chunk type starts here
    png[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(png[ihdr : ihdr + 4 + 13]))
    png[ihdr + 4 + 13 : ihdr + 4 + 17] = struct.pack(">I", crc)
    return bytes(png)


@pytest.fixture
def decodes(monkeypatch):
    """Records every pixel decode, so a test can prove that none happened."""
    calls = []
    original = ImageFile.ImageFile.load

    def load(self):
        calls.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return calls


def test_a_jpeg_comes_back_as_a_jpeg_with_a_server_name():
    source = image_bytes(Image.new("RGB", (640, 480), "green"), "JPEG")
    result = photo_clean(upload(source, "../../etc/passwd.jpg"))
    assert re.match(UUID_JPG, result.name)
    assert "passwd" not in result.name
    image = opened(result)
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (640, 480)


def test_names_are_unique():
    source = image_bytes(Image.new("RGB", (8, 8)), "JPEG")
    assert photo_clean(upload(source)).name != photo_clean(upload(source)).name


@pytest.mark.parametrize("format", ["PNG", "WEBP", "GIF"])
def test_other_accepted_formats_become_jpeg(format):
    result = photo_clean(upload(image_bytes(Image.new("RGB", (30, 20), "blue"), format)))
    image = opened(result)
    assert image.format == "JPEG" and image.size == (30, 20)


def test_a_multi_picture_jpeg_keeps_its_first_picture():
    first, second = Image.new("RGB", (60, 40), "red"), Image.new("RGB", (30, 20), "blue")
    source = image_bytes(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(source)).format == "MPO"
    image = opened(photo_clean(upload(source)))
    assert image.size == (60, 40) and image.getpixel((30, 20))[0] > 200


def test_a_large_photo_is_shrunk_to_the_longest_side_keeping_its_aspect():
    source = image_bytes(Image.new("RGB", (4000, 3000), "white"), "JPEG")
    assert opened(photo_clean(upload(source))).size == (2048, 1536)


def test_a_portrait_photo_is_shrunk_by_its_height(settings):
    settings.GRIDCASE_PHOTO_MAX_SIDE = 100
    source = image_bytes(Image.new("RGB", (300, 600)), "PNG")
    assert opened(photo_clean(upload(source))).size == (50, 100)


def test_a_small_photo_is_not_enlarged():
    source = image_bytes(Image.new("RGB", (320, 200)), "JPEG")
    assert opened(photo_clean(upload(source))).size == (320, 200)


def exif_with_location_turned(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    return exif


def test_exif_orientation_is_applied_and_every_piece_of_metadata_dropped():
    stored = Image.new("RGB", (400, 300), "blue")
    stored.paste((255, 0, 0), (0, 0, 400, 150))  # top half red, as the sensor stored it
    source = image_bytes(
        stored,
        "JPEG",
        exif=exif_with_location_turned(6),
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>",
        comment=b"taken at home",
        icc_profile=b"not really a profile",
    )
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    result = photo_clean(upload(source))
    image = opened(result)
    # Orientation 6: the camera was turned clockwise, so the stored top ends up on the right.
    assert image.size == (300, 400)
    assert image.getpixel((280, 200))[0] > 200 and image.getpixel((20, 200))[2] > 200
    assert not image.getexif()
    assert not {"exif", "xmp", "comment", "icc_profile"} & image.info.keys()
    result.seek(0)
    raw = result.read()
    assert b"Exif" not in raw and b"PhoneCo" not in raw and b"taken at home" not in raw


@pytest.mark.parametrize("broken", ["getexif", "tobytes"])
def test_broken_exif_does_not_cost_the_photo(monkeypatch, broken):
    source = image_bytes(Image.new("RGB", (40, 30)), "JPEG", exif=exif_with_location_turned(6))

    def fail(*args, **kwargs):
        raise TypeError("malformed EXIF")

    target = Image.Image if broken == "getexif" else Image.Exif
    monkeypatch.setattr(target, broken, fail)
    # Reading fails: kept as stored. Rewriting fails: Pillow has already turned the pixels.
    expected = (40, 30) if broken == "getexif" else (30, 40)
    assert opened(photo_clean(upload(source))).size == expected


def test_a_transparent_png_is_flattened_onto_white():
    source_image = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    source_image.paste((255, 0, 0, 255), (0, 0, 10, 20))
    result = opened(photo_clean(upload(image_bytes(source_image, "PNG"), "a.png")))
    assert result.mode == "RGB"
    assert min(result.getpixel((17, 10))) > 245  # was transparent: white, not black
    assert result.getpixel((3, 10))[0] > 200


def test_a_palette_gif_with_a_transparent_colour_is_flattened_onto_white():
    frame = Image.new("P", (16, 16), 1)
    frame.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    source = image_bytes(frame, "GIF", transparency=1)
    assert min(opened(photo_clean(upload(source))).getpixel((8, 8))) > 245


def test_a_16_bit_greyscale_png_keeps_its_greys():
    grey = Image.new("I;16", (8, 8), 32768)
    result = opened(photo_clean(upload(image_bytes(grey, "PNG"))))
    assert 110 < result.getpixel((4, 4))[0] < 145


def test_the_upload_position_does_not_matter():
    file = upload(image_bytes(Image.new("RGB", (10, 10)), "JPEG"))
    file.read()
    assert opened(photo_clean(file)).size == (10, 10)


def test_a_plain_django_file_is_accepted():
    data = image_bytes(Image.new("RGB", (10, 10)), "PNG")
    assert opened(photo_clean(File(io.BytesIO(data), name="x.png"))).size == (10, 10)


def test_a_text_file_named_like_a_photo_is_not_an_image():
    assert rejection(b"Hello, this is not a photo at all.\n" * 10, "photo.jpg") == "not_an_image"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        b"",
    ],
    ids=["pdf", "svg", "empty"],
)
def test_documents_are_not_images(data):
    assert rejection(data) == "not_an_image"


@pytest.mark.parametrize(
    "data",
    [
        image_bytes(Image.new("RGB", (8, 8)), "TIFF"),
        image_bytes(Image.new("RGB", (8, 8)), "BMP"),
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
    ],
    ids=["tiff", "bmp", "heic"],
)
def test_other_image_formats_are_unsupported(data, decodes):
    assert rejection(data) == "unsupported_format"
    assert decodes == []


def test_a_file_over_the_limit_is_refused_unread(settings, decodes):
    settings.GRIDCASE_PHOTO_MAX_BYTES = 1000
    data = image_bytes(Image.effect_noise((100, 100), 64), "PNG")
    assert len(data) > 1000
    assert rejection(data) == "too_large"
    assert decodes == []


def test_a_file_at_the_limit_passes(settings):
    data = image_bytes(Image.new("RGB", (10, 10)), "JPEG")
    settings.GRIDCASE_PHOTO_MAX_BYTES = len(data)
    assert photo_clean(upload(data)).name.endswith(".jpg")


def test_eleven_megabytes_are_refused_at_the_default_limit(decodes):
    with pytest.raises(PhotoRejected) as caught:
        photo_clean(upload(os.urandom(11 * 1024 * 1024)))
    assert caught.value.code == "too_large"
    assert "10.0" in caught.value.messages[0]
    assert decodes == []


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_a_lying_size_does_not_make_it_read_everything(settings):
    settings.GRIDCASE_PHOTO_MAX_BYTES = 1000
    stream = CountingStream(b"\xff\xd8" + b"\x00" * 50_000)
    file = File(stream, name="x.jpg")
    file.size = 10  # what a client-supplied size could claim
    with pytest.raises(PhotoRejected) as caught:
        photo_clean(file)
    assert caught.value.code == "too_large"
    assert stream.bytes_read == 1001


def test_a_decompression_bomb_is_refused_without_decoding(decodes):
    bomb = png_claiming(30_000, 30_000)
    assert len(bomb) < 100
    started = time.perf_counter()
    assert rejection(bomb, "bomb.png") == "too_many_pixels"
    assert time.perf_counter() - started < 0.5
    assert decodes == []


def test_more_pixels_than_our_limit_is_refused_below_pillows_own_limit(decodes):
    header_only = png_claiming(7000, 7000)  # 49 MP: Pillow would open it without a warning
    with pytest.raises(PhotoRejected) as caught:
        photo_clean(upload(header_only, "big.png"))
    assert caught.value.code == "too_many_pixels"
    assert "40 megapixels" in caught.value.messages[0]
    assert decodes == []


def test_pillows_warning_zone_is_refused_even_if_our_limit_is_higher(settings, decodes):
    settings.GRIDCASE_PHOTO_MAX_PIXELS = 10**9
    with pytest.warns(Image.DecompressionBombWarning):
        assert rejection(png_claiming(10_000, 10_000)) == "too_many_pixels"
    assert decodes == []


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP"])
def test_a_truncated_file_is_corrupt(format):
    noisy = Image.effect_noise((300, 200), 64).convert("RGB")
    data = image_bytes(noisy, format)
    assert not ImageFile.LOAD_TRUNCATED_IMAGES
    assert rejection(data[: len(data) // 2]) == "corrupt"


def test_a_truncated_large_jpeg_is_corrupt_even_when_decoded_at_reduced_scale():
    data = image_bytes(Image.linear_gradient("L").resize((4800, 4800)).convert("RGB"), "JPEG")
    assert rejection(data[: len(data) * 2 // 3]) == "corrupt"


def test_the_error_is_a_user_facing_validation_error():
    with pytest.raises(PhotoRejected) as caught:
        photo_clean(upload(b"nope"))
    error = caught.value
    assert error.messages == [
        "This file is not a photo. Please upload a JPEG, PNG, WebP or GIF picture."
    ]
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.messages) == (error.code, error.messages)


def test_upload_to_files_photos_by_local_month(monkeypatch):
    monkeypatch.setattr(photos.timezone, "localdate", lambda: date(2025, 3, 9))
    assert photo_upload_to(None, "abc.jpg") == "cases/2025/03/abc.jpg"


def clean_or_rejected(data: bytes) -> None:
    try:
        result = photo_clean(upload(data))
    except PhotoRejected as error:
        assert error.code in PhotoRejected.MESSAGES
    else:
        assert opened(result).format == "JPEG"


# Pillow warns about malformed EXIF while it reads it; the outcome is what we check.
@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_are_either_a_photo_or_rejected(data):
    clean_or_rejected(data)


SEEDS = [
    image_bytes(Image.effect_noise((24, 16), 50).convert("RGB"), format, **params)
    for format, params in [
        ("JPEG", {"exif": exif_with_location_turned(6)}),
        ("JPEG", {"progressive": True}),
        ("PNG", {}),
        ("WEBP", {}),
        ("GIF", {}),
    ]
]


# Pillow warns about malformed EXIF while it reads it; the outcome is what we check.
@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 4095), st.integers(0, 255)), max_size=8),
    cut=st.integers(0, 4096),
)
def test_damaged_real_photos_are_either_a_photo_or_rejected(seed, edits, cut):
    data = bytearray(seed)
    for position, value in edits:
        data[position % len(data)] = value
    clean_or_rejected(bytes(data[: max(cut, 1)] if cut < len(data) else data))


def exif_taken(when: str, offset: str | None = None) -> Image.Exif:
    exif = Image.Exif()
    ifd = exif.get_ifd(photos.EXIF_IFD)
    ifd[photos.DATE_TIME_ORIGINAL] = when
    if offset is not None:
        ifd[photos.OFFSET_TIME_ORIGINAL] = offset
    return exif


def taken(exif: Image.Exif | None):
    params = {"exif": exif} if exif is not None else {}
    result = photo_clean(upload(image_bytes(Image.new("RGB", (64, 48)), "JPEG", **params)))
    assert "exif" not in opened(result).info  # read, then dropped with the rest
    return result.taken_at


def test_the_capture_time_is_read_from_exif_with_its_offset():
    from datetime import datetime, timedelta, timezone

    assert taken(exif_taken("2026:12:01 09:30:15", "+08:00")) == datetime(
        2026, 12, 1, 1, 30, 15, tzinfo=UTC
    )
    assert taken(exif_taken("2026:12:01 09:30:15", "-05:00")) == datetime(
        2026, 12, 1, 9, 30, 15, tzinfo=timezone(timedelta(hours=-5))
    )


def test_a_capture_time_without_offset_is_in_the_sites_time_zone():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    assert taken(exif_taken("2026:12:01 09:30:15")) == datetime(
        2026, 12, 1, 9, 30, 15, tzinfo=ZoneInfo("Asia/Shanghai")
    )


@pytest.mark.parametrize(
    "exif",
    [
        None,
        exif_taken("not a time"),
        exif_taken("1999:12:31 23:00:00"),
        exif_taken("2999:01:01 00:00:00"),
    ],
)
def test_no_believable_capture_time_is_none(exif):
    assert taken(exif) is None
