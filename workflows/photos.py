"""Case photos: turn an untrusted upload from a phone camera into a clean, small JPEG.

`photo_clean` is pure CPU and memory work (no database, no storage writes), so a service may
call it inside its transaction and save the returned `ContentFile` to a FileField whose
`upload_to` is `photo_upload_to`. Only Pillow's JPEG, PNG, WebP and GIF plugins ever see the
bytes, and they see at most `GRIDCASE_PHOTO_MAX_BYTES` of them.
"""

import contextlib
import io
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal
from uuid import uuid4

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS: Final = 40_000_000
DEFAULT_MAX_SIDE: Final = 2048
JPEG_QUALITY: Final = 85
EXIF_IFD: Final = 0x8769
DATE_TIME_ORIGINAL: Final = 0x9003
OFFSET_TIME_ORIGINAL: Final = 0x9011

# The only Pillow plugins allowed to parse upload bytes. Phone JPEGs with a multi-picture
# extension come back from the JPEG plugin with format "MPO"; we keep their first picture.
DECODER_FORMATS: Final = ("JPEG", "PNG", "WEBP", "GIF")

# Image formats recognised by their magic bytes but never decoded (TIFF, BMP, PSD, JPEG XL;
# HEIF/AVIF by ISO-BMFF brand), so the user hears "unsupported format", e.g. for an iPhone
# HEIC, rather than "not a photo".
_UNSUPPORTED_MAGIC: Final = (b"II*\x00", b"MM\x00*", b"BM", b"8BPS", b"\xff\x0a")
_UNSUPPORTED_FTYP_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
)

RejectionCode = Literal[
    "too_large", "not_an_image", "unsupported_format", "too_many_pixels", "corrupt"
]


class PhotoRejected(ValidationError):
    """An upload that cannot become a case photo; `code` says why, the message tells the user."""

    MESSAGES: Final = {
        "too_large": _("The photo is larger than %(limit)s. Please upload a smaller photo."),
        "not_an_image": _(
            "This file is not a photo. Please upload a JPEG, PNG, WebP or GIF picture."
        ),
        "unsupported_format": _(
            "This picture format is not supported. Please upload a JPEG, PNG, WebP or GIF picture."
        ),
        "too_many_pixels": _(
            "The picture has too many pixels. Please upload a photo of at most "
            "%(megapixels)s megapixels."
        ),
        "corrupt": _(
            "The photo could not be read; the file may be damaged or incomplete. "
            "Please take or upload it again."
        ),
    }

    def __init__(self, code: RejectionCode, **params: Any) -> None:
        super().__init__(self.MESSAGES[code], code=code, params=params or None)

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception pickling replays self.args, which are ValidationError's, not ours.
        return (type(self), (self.code,), self.__dict__)


class CleanPhoto(ContentFile[bytes]):
    """A re-encoded photo and when it was taken (EXIF DateTimeOriginal; None if unknown)."""

    def __init__(self, content: bytes, name: str, taken_at: datetime | None) -> None:
        super().__init__(content, name=name)
        self.taken_at = taken_at


def photo_clean(upload: File[bytes] | UploadedFile[bytes]) -> CleanPhoto:
    """Check and re-encode an uploaded photo; raise `PhotoRejected` if it is not acceptable.

    Returns an upright RGB JPEG without any metadata (EXIF, GPS, XMP, ICC, comments), its
    longest side at most `GRIDCASE_PHOTO_MAX_SIDE`, named `<uuid4 hex>.jpg`, with the
    capture time read from the upload's EXIF before it is dropped (the browser writes it
    there from the file it shrank, `static/workflows/photos.js`). The upload is read from
    its start whatever its current position.
    """
    data = _upload_read(upload)
    image = _image_decode(data)
    taken_at = photo_taken_at(image)
    image = _image_orient(image)
    image = _image_to_8bit(image)
    side = _setting("GRIDCASE_PHOTO_MAX_SIDE", DEFAULT_MAX_SIDE)
    image.thumbnail((side, side), Image.Resampling.LANCZOS)  # only ever shrinks
    return CleanPhoto(_jpeg_encode(_image_flatten(image)), f"{uuid4().hex}.jpg", taken_at)


def photo_taken_at(image: Image.Image) -> datetime | None:
    """EXIF DateTimeOriginal, with OffsetTimeOriginal when given (else the site's time zone);
    None when missing, unreadable, before 2000 or more than a day ahead of the clock."""
    try:
        exif = image.getexif().get_ifd(EXIF_IFD)
        stamp, offset = exif.get(DATE_TIME_ORIGINAL), exif.get(OFFSET_TIME_ORIGINAL)
        taken = datetime.strptime(str(stamp).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except Exception:  # no EXIF, or a malformed one: the photo is still good
        return None
    try:
        zone = datetime.strptime(str(offset).strip("\x00 "), "%z").tzinfo if offset else None
    except ValueError:
        zone = None
    taken = taken.replace(tzinfo=zone) if zone else timezone.make_aware(taken)
    if taken.year < 2000 or taken > timezone.now() + timedelta(days=1):
        return None
    return taken


def photo_upload_to(instance: Any, filename: str) -> str:
    """`upload_to` for case photos: `cases/<year>/<month>/<filename>` in local time.

    `filename` is the server-generated name from `photo_clean`, so it is used as is.
    """
    return f"cases/{timezone.localdate():%Y/%m}/{filename}"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _upload_read(upload: File[bytes] | UploadedFile[bytes]) -> bytes:
    """All bytes of the upload, refusing it before reading more than the limit allows."""
    limit = _setting("GRIDCASE_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES)
    try:
        declared = upload.size
    except (AttributeError, OSError, ValueError):
        declared = None  # unknown size: the capped read below still protects us
    if declared is not None and declared > limit:
        raise PhotoRejected("too_large", limit=filesizeformat(limit))
    # open() rewinds an open file and reopens a closed one from its path; a non-seekable
    # stream refuses, and is read from where it stands.
    with contextlib.suppress(OSError, ValueError):
        upload.open()
    data = _read_at_most(upload, limit + 1)
    if len(data) > limit:  # the declared size lied, or there was none
        raise PhotoRejected("too_large", limit=filesizeformat(limit))
    return data


def _read_at_most(upload: File[bytes] | UploadedFile[bytes], count: int) -> bytes:
    # A raw stream may return short reads before the end, so loop until EOF or count.
    chunks: list[bytes] = []
    while count > 0 and (chunk := upload.read(count)):
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _image_decode(data: bytes) -> Image.Image:
    """Open lazily, check the header's size, and only then decode the first frame."""
    try:
        image = Image.open(io.BytesIO(data), formats=DECODER_FORMATS)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except UnidentifiedImageError as exc:
        raise PhotoRejected(_unrecognised_code(data)) from exc
    except Exception as exc:  # Pillow raises many types on malformed headers
        raise _corrupt(exc) from exc
    width, height = image.size
    if width * height > _max_pixels():
        raise _too_many_pixels()
    side = _setting("GRIDCASE_PHOTO_MAX_SIDE", DEFAULT_MAX_SIDE)
    # JPEG only: let libjpeg decode at 1/2..1/8 scale when the photo is far above our size.
    image.draft(None, (2 * side, 2 * side))
    try:
        image.load()  # raises on truncation as long as LOAD_TRUNCATED_IMAGES stays False
    except MemoryError:
        raise
    except Exception as exc:  # like Django's forms.ImageField: any decoder failure
        raise _corrupt(exc) from exc
    if min(image.size) < 1:
        raise _corrupt(ValueError(f"empty image {image.size}"))
    return image


def _max_pixels() -> int:
    # Pillow only warns (DecompressionBombWarning) up to twice its own limit; we refuse there.
    limit = _setting("GRIDCASE_PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return limit if pillow_limit is None else min(limit, pillow_limit)


def _too_many_pixels() -> PhotoRejected:
    return PhotoRejected("too_many_pixels", megapixels=f"{_max_pixels() / 1_000_000:g}")


def _corrupt(exc: BaseException) -> PhotoRejected:
    logger.info("Photo rejected as corrupt: %r", exc)
    return PhotoRejected("corrupt")


def _unrecognised_code(data: bytes) -> RejectionCode:
    if data.startswith(_UNSUPPORTED_MAGIC):
        return "unsupported_format"
    if data[4:8] == b"ftyp" and data[8:12] in _UNSUPPORTED_FTYP_BRANDS:  # HEIC, AVIF
        return "unsupported_format"
    return "not_an_image"


def _image_orient(image: Image.Image) -> Image.Image:
    """Turn the pixels the way the camera's EXIF orientation says."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception as exc:
        # Broken EXIF should not cost the user a good photo. Pillow turns the pixels before
        # it rewrites the EXIF (which we drop anyway), so a failure there still leaves the
        # photo upright; a failure reading the EXIF leaves it as stored.
        logger.info("Photo EXIF orientation not fully applied: %r", exc)
    return image


def _image_to_8bit(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the picture has transparency, so resizing can use LANCZOS."""
    if image.mode == "I" or image.mode.startswith("I;16"):
        # 16-bit greyscale PNGs: a plain convert clips every value above 255 to white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    target = "RGBA" if image.has_transparency_data else "RGB"
    return image if image.mode == target else image.convert(target)


def _image_flatten(image: Image.Image) -> Image.Image:
    """The pixels alone on a fresh white canvas: no alpha, and no metadata can survive."""
    canvas = Image.new("RGB", image.size, "white")
    canvas.paste(image, mask=image if image.mode == "RGBA" else None)
    return canvas


def _jpeg_encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


# --- a photo shown to someone who may not see its case (the nearby list) ----------------------

if TYPE_CHECKING:  # models imports this module
    from .models import CasePhoto

SHARED_SALT = "workflows.photo.shared"
SHARED_FOR = 3600  # seconds a nearby list's photo links stay valid


def photo_shared_url(photo: "CasePhoto") -> str:
    """The photo's address for someone who may not see its case (the nearby list): signed,
    valid for `SHARED_FOR` seconds."""
    return f"{photo.get_absolute_url()}?s={signing.dumps(photo.pk, salt=SHARED_SALT)}"


def photo_share_valid(signature: str, pk: int) -> bool:
    """Whether `signature` is `photo_shared_url`'s for photo `pk`, and not expired."""
    try:
        return (
            bool(signature) and signing.loads(signature, salt=SHARED_SALT, max_age=SHARED_FOR) == pk
        )
    except signing.BadSignature:  # also SignatureExpired
        return False
