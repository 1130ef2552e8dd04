"""A version's files as one zip download (the versions page and the API share it)."""

from __future__ import annotations

import io
import zipfile

from flask import Response, send_file

from .services import engine


def zip_download(process_id: str, number: int, user: str) -> Response:
    """The files of version `number` of `process_id` as `PROCESS-vN.zip`: what `raciflow
    deploy` (or a draft) takes back. Who may is the engine's rule (NotFound, NotAllowed)."""
    version, files = engine().version_files(process_id, number, user=user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(name, text.encode("utf-8"))
    buffer.seek(0)
    name = f"{process_id}-v{version}.zip"
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=name)
