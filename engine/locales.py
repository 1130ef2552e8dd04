"""The languages raciflow speaks; a user who chose none reads the first."""

LOCALES = ("el", "en")
DEFAULT_LOCALE = LOCALES[0]
