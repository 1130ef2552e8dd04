"""The built-in HTTP connector: JSON services described in a YAML file, no code.

```yaml
crm:                                   # connector name: operations are crm.<operation>
  base_url: https://crm.example/api
  auth: {bearer_env: CRM_TOKEN}        # or {header: X-Api-Key, value_env: CRM_KEY}
                                       # or {username_env: CRM_USER, password_env: CRM_PASSWORD}
  timeout: 5                           # seconds per attempt (default 10)
  retries: 2                           # more attempts after a timeout, 5xx or 429 (default 2)
  backoff: 0.5                         # seconds before the first retry, doubled each time
  operations:
    get_customer:
      method: GET                      # default GET
      path: /customers/{customer_id}   # {names} are taken from the task's parameters
      query: [fields]                  # parameters sent in the query string
      result: {name: name, limit: credit.limit}   # what the task stores: dotted paths
      errors: {404: no such customer}  # a status's message (else the status and body)
```

Parameters not used by the path or the query go as a JSON body for POST, PUT and
PATCH. Secrets are never in the file: `*_env` names the environment variable that
holds them. The file is read again when it changes.
"""

from __future__ import annotations

import base64
import json
import os
import string
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_RESPONSE = 1024 * 1024  # bytes of a response we read
_RETRIED = {429, 500, 502, 503, 504}


class ConnectorError(Exception):
    """A connector call that failed; the message says which, and why."""


@dataclass(frozen=True)
class HttpOperation:
    connector: str
    name: str
    base_url: str
    method: str = "GET"
    path: str = ""
    query: tuple[str, ...] = ()
    result: dict[str, str] | None = None
    errors: dict[int, str] = field(default_factory=dict)
    auth: dict[str, str] = field(default_factory=dict)
    timeout: float = 10.0
    retries: int = 2
    backoff: float = 0.5

    @property
    def full_name(self) -> str:
        return f"{self.connector}.{self.name}"

    def __call__(self, **params: Any) -> Any:
        request = self._request(params)
        attempts = self.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return self._mapped(_json_of(response.read(MAX_RESPONSE + 1), self))
            except urllib.error.HTTPError as err:
                if err.code not in _RETRIED or last:
                    raise ConnectorError(self._http_error(err)) from None
            except (TimeoutError, urllib.error.URLError, ConnectionError) as err:
                if last:
                    reason = getattr(err, "reason", err)
                    raise ConnectorError(
                        f"{self.full_name}: no answer from {self.base_url} after {attempts}"
                        f" attempt(s) ({reason})"
                    ) from None
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def _request(self, params: dict[str, Any]) -> urllib.request.Request:
        fields = {name for _, name, _, _ in string.Formatter().parse(self.path) if name}
        missing = sorted(fields - params.keys())
        if missing:
            raise ConnectorError(f"{self.full_name}: the path needs parameter '{missing[0]}'")
        quoted = {k: urllib.parse.quote(str(params[k]), safe="") for k in fields}
        path = self.path.format(**quoted)
        used = set(fields)
        query = {k: params[k] for k in self.query if k in params}
        used |= set(query)
        url = self.base_url.rstrip("/") + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        body = None
        headers = {"Accept": "application/json", **self._auth_headers()}
        if self.method in ("POST", "PUT", "PATCH"):
            body = json.dumps({k: v for k, v in params.items() if k not in used}, default=str)
            headers["Content-Type"] = "application/json"
        return urllib.request.Request(  # noqa: S310 - base_url is http(s), checked on load
            url,
            data=body.encode() if body is not None else None,
            method=self.method,
            headers=headers,
        )

    def _auth_headers(self) -> dict[str, str]:
        auth = self.auth
        if "bearer_env" in auth:
            return {"Authorization": f"Bearer {_secret(auth['bearer_env'], self)}"}
        if "header" in auth:
            return {auth["header"]: _secret(auth["value_env"], self)}
        if "username_env" in auth:
            pair = f"{_secret(auth['username_env'], self)}:{_secret(auth['password_env'], self)}"
            return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
        return {}

    def _http_error(self, err: urllib.error.HTTPError) -> str:
        known = self.errors.get(err.code)
        if known:
            return f"{self.full_name}: {known} (HTTP {err.code})"
        body = err.read(300).decode("utf-8", "replace").strip()
        return f"{self.full_name}: HTTP {err.code} {err.reason}" + (f": {body}" if body else "")

    def _mapped(self, answer: Any) -> Any:
        if self.result is None:
            return answer
        return {key: _at(answer, path) for key, path in self.result.items()}


def _secret(variable: str, operation: HttpOperation) -> str:
    value = os.environ.get(variable)
    if not value:
        raise ConnectorError(f"{operation.full_name}: environment variable {variable} is not set")
    return value


def _json_of(raw: bytes, operation: HttpOperation) -> Any:
    if len(raw) > MAX_RESPONSE:
        raise ConnectorError(f"{operation.full_name}: answer larger than {MAX_RESPONSE} bytes")
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ConnectorError(f"{operation.full_name}: the answer is not JSON") from None


def _at(value: Any, path: str) -> Any:
    """The value at dotted `path` ('credit.limit', 'items.0.name'); None where it stops."""
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


class HttpConnectors:
    """The HTTP operations of a YAML file, read again whenever the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: float | None = None
        self._operations: dict[str, HttpOperation] = {}

    def operation(self, name: str) -> Callable[..., Any] | None:
        return self._current().get(name)

    def names(self) -> list[str]:
        return sorted(self._current())

    def _current(self) -> dict[str, HttpOperation]:
        try:
            stamp = self.path.stat().st_mtime
        except OSError:
            self._stamp, self._operations = None, {}
            return {}
        if stamp != self._stamp:
            self._operations = load_operations(self.path)
            self._stamp = stamp
        return self._operations


def load_operations(path: Path) -> dict[str, HttpOperation]:
    """Every operation of the connectors file, by its full name; ValueError if malformed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected connectors by name")
    found: dict[str, HttpOperation] = {}
    for connector, spec in data.items():
        if not isinstance(spec, dict) or "base_url" not in spec:
            raise ValueError(f"{path}: connector '{connector}' needs a base_url")
        if urllib.parse.urlsplit(str(spec["base_url"])).scheme not in ("http", "https"):
            raise ValueError(f"{path}: connector '{connector}': base_url must be http(s)")
        for name, op in (spec.get("operations") or {}).items():
            op = op or {}
            operation = HttpOperation(
                connector=str(connector),
                name=str(name),
                base_url=str(spec["base_url"]),
                method=str(op.get("method", "GET")).upper(),
                path=str(op.get("path", "")),
                query=tuple(op.get("query") or ()),
                result=op.get("result"),
                errors={int(k): str(v) for k, v in (op.get("errors") or {}).items()},
                auth=dict(spec.get("auth") or {}),
                timeout=float(spec.get("timeout", 10)),
                retries=int(spec.get("retries", 2)),
                backoff=float(spec.get("backoff", 0.5)),
            )
            found[operation.full_name] = operation
    return found
