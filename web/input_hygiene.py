"""Refuse input nothing can use, in one place for every page and the API: NUL characters.

PostgreSQL cannot store NUL in text, and no name, reason, filter or id needs one.
Checked before any view runs (path, query, form and JSON body, names and values):
a page answers 400, the API 422 in its error shape, naming where the NUL was.
A JSON body nested too deeply for Python's parser is refused here too (400), and so is
a JSON string holding half a surrogate pair ("\\ud800"): it is no character, and
could be neither hashed on the audit trail nor stored (422).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, UnprocessableEntity

from engine.payload import MAX_PAYLOAD_DEPTH as MAX_DEPTH

from .errors import wants_json

NUL = "\x00"
MESSAGE = "must not contain NUL characters"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
UNUSABLE = re.compile("[\x00\ud800-\udfff]")
SURROGATE_MESSAGE = "must not contain half of a surrogate pair (\\ud800 to \\udfff)"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def init_app(app: Flask) -> None:
    app.before_request(refuse_unusable)


def refuse_unusable() -> None:
    """Answer 400 (pages) or 422 (API) if the request carries a NUL anywhere, and 422 if
    its JSON holds half a surrogate pair."""
    try:
        where, flaw = unusable_location()
    except RecursionError:  # JSON nested thousands deep: Python's parser runs out of stack
        raise BadRequest(f"the JSON body is nested too deeply (at most {MAX_DEPTH})") from None
    if where is None:
        return
    if flaw != NUL:  # half a surrogate pair: only JSON can spell one ("\\ud800")
        error = UnprocessableEntity(f"half a surrogate pair is not a character (in {where})")
        error.data = {"messages": {"request": {where: [SURROGATE_MESSAGE]}}}
        raise error
    if wants_json():
        error = UnprocessableEntity(f"NUL characters are not allowed (in {where})")
        error.data = {"messages": {"request": {where: [MESSAGE]}}}  # as webargs does
        raise error
    abort(400, description=_("The request holds a NUL character, which is never allowed."))


def unusable_location() -> tuple[str | None, str | None]:
    """Where the current request holds a character nothing can use, and which: 'path', a
    parameter's name or a JSON path, with NUL or half a surrogate pair. Forms and paths
    are decoded from UTF-8 bytes, so only JSON can hold the latter."""
    if NUL in request.path:
        return "path", NUL
    # Only a form has a form to parse; asking a JSON call for `request.form` still costs.
    form = (request.form,) if request.mimetype in FORM_TYPES else ()
    for params in (request.args, *form):
        if (name := _in_params(params)) is not None:
            return name, NUL
    if request.is_json:
        return next(_in_json(request.get_json(silent=True)), (None, None))
    return None, None


def _in_params(params: MultiDict[str, str]) -> str | None:
    for name, values in params.lists():
        if NUL in name or any(NUL in value for value in values):
            return _printable(name)
    return None


def _in_json(body: Any) -> Iterator[tuple[str, str]]:
    """(dotted path, the character) of each string, key or value, holding NUL or half a
    surrogate pair; one iterative pass, for deep bodies."""
    stack: list[tuple[str, Any]] = [("", body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str) and (found := UNUSABLE.search(value)):
            yield path or "body", found.group()
        elif isinstance(value, dict):
            for key, inner in value.items():
                name = _printable(str(key))
                inner_path = f"{path}.{name}" if path else name
                if found := UNUSABLE.search(str(key)):
                    yield inner_path, found.group()
                stack.append((inner_path, inner))
        elif isinstance(value, list):
            stack.extend((f"{path}.{n}" if path else str(n), item) for n, item in enumerate(value))


def _printable(name: str) -> str:
    return LONE_SURROGATE.sub("?", name.replace(NUL, "\\0"))
