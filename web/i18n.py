"""Engine and RACI messages (raci/messages.py) in the reader's language, at the surface.

`render` translates a Message with the current request's locale (Flask-Babel), or with a
plain Babel catalog for a given locale (`render_in`: notifications and e-mails, written
for their recipient, also outside any request). Parameters named after codes are
translated too, through the one lookup of each: `task` and `process` (web/names.py, BPMN
names), `role`/`roles` and `status` (web/vocabulary.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

from raci.messages import Message, message_of

TRANSLATIONS = Path(__file__).with_name("translations")

Gettext = Callable[[str], str]
PEOPLE = ("user", "person", "principal")  # parameters naming a user: shown by their name


def render(message: Message | str, *, standalone: bool = False) -> str:
    """`message` in the language of the current request; `standalone`: see error_text."""
    from flask_babel import gettext

    from . import display, names, vocabulary

    if not isinstance(message, Message):
        return str(message)

    def param(key: str, value: Any) -> str:
        if isinstance(value, Message):
            return render(value)
        if _holds_messages(value):
            return _each(value, render, semicolon())
        if key == "process":
            return names.process_name(value) if "_" in str(value) else names.tr(value)
        if key in ("task", "label", "step", "lane"):  # a name written in a BPMN or DMN file
            return names.tr(value)
        if key in PEOPLE and isinstance(value, str) and not _for_a_program():
            return display.person(value)
        if key in ("role", "accountable_role"):
            return vocabulary.role_name(value)
        if key == "roles":
            return vocabulary.role_names(value)
        if key in ("status", "outcome"):
            return str(vocabulary.term(value))
        return _plain(value)

    template = gettext(message.msgid)
    return _format(_capitalised(template) if standalone else template, message, param)


def _capitalised(template: str) -> str:
    # The wording's first letter only: a template that starts with data ("%(name)s: …",
    # a file name) keeps the data as it was typed.
    return template if template.startswith("%(") else template[:1].upper() + template[1:]


def _for_a_program() -> bool:
    # The API keeps usernames, which programs act on; pages show people by name.
    from flask import has_request_context, request

    return has_request_context() and request.path.startswith("/api/")


def error_text(error: BaseException, *, standalone: bool = False) -> str:
    """What an error says to the reader: its Message translated, else its English text.

    Engine messages start in lower case because they are also said inside other sentences
    ("Not done: …"); one that stands alone (a page's banner) starts with a capital.
    """
    found = message_of(error)
    return render(found, standalone=standalone) if found is not None else str(error)


@cache
def catalog(locale: str) -> NullTranslations:
    """The compiled catalog of `locale` (English, the msgids, when there is none)."""
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale])


def render_in(message: Message | str, locale: str) -> str:
    """`message` in `locale`, without a request: for a notification's recipient.

    Names and codes in it are translated through the catalog the same way (a task or
    process name as its BPMN name, a role or status as its word).
    """
    if not isinstance(message, Message):
        return str(message)
    gettext = catalog(locale).gettext

    def param(key: str, value: Any) -> str:
        if isinstance(value, Message):
            return render_in(value, locale)
        if _holds_messages(value):
            return _each(value, lambda m: render_in(m, locale), gettext("; "))
        if key in ("task", "label", "step", "lane", "process", "status", "outcome"):
            coded = key in ("status", "outcome")  # a code: its words are the msgid
            return gettext(str(value).replace("_", " ") if coded else str(value))
        return _plain(value)

    return _format(gettext(message.msgid), message, param)


def _format(template: str, message: Message, param: Callable[[str, Any], str]) -> str:
    values = {key: param(key, value) for key, value in message.params.items()}
    try:
        return template % values
    except (KeyError, ValueError, TypeError):  # a broken translation: the English still reads
        return str(message)


def _holds_messages(value: Any) -> bool:
    return isinstance(value, list | tuple) and any(isinstance(v, Message) for v in value)


def semicolon() -> str:
    """What parts one line's items, as the reader's language writes it: Greek reads ";"
    as a question mark and parts them with the ano teleia ("· ")."""
    from flask_babel import gettext

    return gettext("; ")


def _each(values: Any, say: Any, separator: str) -> str:
    """A list of reasons, each said in the reader's language, parted as it parts them."""
    return separator.join(say(v) if isinstance(v, Message) else str(v) for v in values)


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
