"""Files on a case, as rules: what may be stored, under what name, and what a form needs.

Pure Python (no database): the type of a file is read from its first bytes (its
magic number, by the `filetype` library), never from its name or the browser's
word; the name is cleaned for storage and display; the limits are per file and per
case. docs/attachments.md says why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import filetype

from raci.messages import N_, Message

from .errors import EngineError

CHUNK = 256 * 1024  # bytes read, hashed and stored at a time: a file is never whole in memory
MiB = 1024 * 1024

# What may be stored: detected type -> the extensions a name of it may carry (first: default).
ALLOWED: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "image/heic": ("heic", "heif"),
    "application/pdf": ("pdf",),
}
# How people name each type (pages, messages).
TYPE_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/heic": "HEIC",
    "application/pdf": "PDF",
}
IMAGES = frozenset(t for t in ALLOWED if t.startswith("image/"))
DOCUMENTS = frozenset(ALLOWED)  # a signed contract may be a scan (image) or a PDF
# Shown in the browser (a preview): the rest only downloads. HEIC: few browsers draw it.
PREVIEWABLE = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
MAX_NAME = 120


class AttachmentRefused(EngineError):
    """A file that may not be stored (type, size, name); nothing of the upload was kept."""

    def __init__(self, message: Message) -> None:
        self.msg = message
        super().__init__(str(message))


@dataclass(frozen=True, kw_only=True)
class AttachmentLimits:
    """How much may be stored: per file, per case (all its files), files per upload."""

    max_file_bytes: int = 10 * MiB
    max_case_bytes: int = 50 * MiB
    max_files: int = 10


@dataclass(frozen=True)
class Upload:
    """One file as it arrives: the name its sender gave, and a stream to read it from."""

    name: str
    stream: BinaryIO
    kind: str | None = None  # what it is for a form's rule, e.g. "signed_contract"


@dataclass(frozen=True, kw_only=True)
class AttachmentRule:
    """What a form needs on its case before it may be submitted, e.g. at least one photo.

    `kind`: only files uploaded as that kind count (None: any file of `types`);
    `when`: the rule applies only if the submitted data has these values.
    """

    name: str  # how the page names the need (an English msgid, translated)
    refusal: str  # what a submission without it is told (an English msgid)
    types: frozenset[str] = DOCUMENTS
    kind: str | None = None
    at_least: int = 1
    when: Mapping[str, Any] = field(default_factory=dict)

    def applies(self, data: Mapping[str, Any]) -> bool:
        return all(data.get(key) == value for key, value in self.when.items())

    def met_by(self, files: Iterable[Mapping[str, Any]]) -> bool:
        count = sum(
            1
            for f in files
            if f["media_type"] in self.types and (self.kind is None or f.get("kind") == self.kind)
        )
        return count >= self.at_least


def missing(
    rules: Iterable[AttachmentRule], data: Mapping[str, Any], files: list[Mapping[str, Any]]
) -> list[AttachmentRule]:
    """The rules that apply to `data` and that `files` do not meet."""
    return [rule for rule in rules if rule.applies(data) and not rule.met_by(files)]


def detect(head: bytes) -> str | None:
    """The media type of a file from its first bytes, or None if it is none we know."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    mime = "image/heic" if kind.mime == "image/heif" else kind.mime
    return mime


# A file's kind is a code a form's rule names ("signed_contract"), never free text.
_KIND = re.compile(r"[a-z][a-z0-9_]{0,49}")


def checked_kind(name: str, kind: str | None) -> str | None:
    """The kind a file was sent as (None: none said); refused unless it is such a code."""
    kind = (kind or "").strip() or None
    if kind is not None and not _KIND.fullmatch(kind):
        raise AttachmentRefused(
            Message(
                N_("%(name)s: '%(kind)s' is no kind of file (a code such as signed_contract)"),
                name=name,
                kind=kind[:50],
            )
        )
    return kind


def checked_type(name: str, head: bytes) -> str:
    """The allowed media type of a file, read from its content; refused if the content is
    not an allowed type, or the name claims another type than the content is."""
    media_type = detect(head)
    if media_type not in ALLOWED:
        raise AttachmentRefused(
            Message(
                N_("%(name)s: this kind of file is not accepted (photos and PDF only)"),
                name=name,
            )
        )
    extension = _extension(name)
    known = {ext for exts in ALLOWED.values() for ext in exts}
    if extension in known and extension not in ALLOWED[media_type]:
        raise AttachmentRefused(
            Message(
                N_("%(name)s: the name says .%(extension)s but the file is %(type)s"),
                name=name,
                extension=extension,
                type=TYPE_NAMES[media_type],
            )
        )
    return media_type


def clean_name(name: str, media_type: str) -> str:
    """A safe name to store and show: no folders, controls or odd characters, at most
    MAX_NAME characters, ending in an extension of its (detected) type."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = re.sub(r"[^\w .()+-]", "_", base)
    base = re.sub(r"\s+", " ", base).strip(" ._")
    stem, extension = base, _extension(base)
    if extension in ALLOWED[media_type]:
        stem = base[: -len(extension) - 1].rstrip(" ._")
    else:
        extension = ALLOWED[media_type][0]
    stem = stem[: MAX_NAME - len(extension) - 1] or "file"
    return f"{stem}.{extension}"


def too_large(name: str, limit: int) -> AttachmentRefused:
    return AttachmentRefused(
        Message(N_("%(name)s is larger than %(limit)s MB"), name=name, limit=_mb(limit))
    )


def case_full(limit: int) -> AttachmentRefused:
    return AttachmentRefused(
        Message(N_("the case's files would exceed %(limit)s MB in all"), limit=_mb(limit))
    )


def _extension(name: str) -> str:
    _, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


def _mb(size: int) -> str:
    return f"{round(size / MiB, 2):g}"
