"""Plug the sandbox and the service registry into SpiffWorkflow's script engine."""

from __future__ import annotations

import ast
import inspect
import json
import logging
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import sandbox
from .sandbox_modules import engine_clock

if TYPE_CHECKING:
    from .changes import BusinessTrail
    from .connectors import Connectors
    from .read_models import ReadModel

_log = logging.getLogger(__name__)

ServiceFunction = Callable[..., Any]
# Undoes a process's business effects when an instance is cancelled: (ctx, data, reason).
ScopeFunction = Callable[[Any, dict[str, Any], str | None], str | None]
Compensation = Callable[["ServiceContext", dict[str, Any], str], dict[str, Any] | None]
# (process id, what an instance knows last) -> a small JSON-friendly summary, or None
Summariser = Callable[[str, dict[str, Any]], dict[str, Any] | None]


@dataclass(frozen=True)
class ServiceContext:
    """What a service may use besides its parameters: the command's own transaction.

    Services that write business data through `session` commit or roll back
    together with the instance, so a failed step leaves no half-done change.
    """

    session: Any  # the unit of work's SQLAlchemy session
    now: datetime
    instance_id: str
    process_id: str
    business_key: str | None
    actor: str
    starter: Callable[..., str] | None = None
    trail: BusinessTrail | None = None  # where changes and decisions are recorded

    def record_change(
        self, entity: str, key: Any, field: str, old: Any, new: Any, *, reason: str | None = None
    ) -> bool:
        """Put a change of business data on the instance's audit trail (and its read model).

        It is recorded when the service call succeeds; return whether `old` and
        `new` differ (an unchanged value is not recorded).
        """
        if self.trail is None:
            raise RuntimeError("this service context keeps no audit trail")
        return self.trail.add(entity, key, field, old, new, reason)

    def start_process(
        self, process_id: str, data: dict[str, Any], business_key: str | None = None
    ) -> str:
        """Start another process in this transaction (e.g. release a cleaned order)."""
        if self.starter is None:
            raise RuntimeError("this engine cannot start processes from a service")
        return self.starter(
            process_id, data, user=self.actor, parent=self.instance_id, business_key=business_key
        )


_current_context: ContextVar[ServiceContext | None] = ContextVar("service_context", default=None)


def current_context() -> ServiceContext | None:
    """The service context of the steps running now, if any (DMN decisions record through it)."""
    return _current_context.get()


@contextmanager
def service_context(context: ServiceContext | None) -> Iterator[None]:
    """Make `context` available to the services called while the block runs."""
    token = _current_context.set(context)
    try:
        yield
    finally:
        _current_context.reset(token)


class ServiceRegistry:
    """Python functions that BPMN service tasks may call, by name.

    A function whose first parameter is named `ctx` receives the ServiceContext
    and runs in a savepoint of the command's transaction.
    """

    def __init__(self) -> None:
        self._functions: dict[str, ServiceFunction] = {}
        self._wants_context: set[str] = set()
        self._compensations: dict[str, Compensation] = {}
        self._read_models: list[ReadModel] = []
        self._scopes: dict[str, ScopeFunction] = {}
        self._scope_roles: dict[str, tuple[str, ...]] = {}
        self._summariser: Summariser | None = None
        self._connectors: Connectors | None = None

    def use_connectors(self, connectors: Connectors) -> None:
        """Look up operations no function is registered for among `connectors`."""
        self._connectors = connectors

    def register(self, name: str) -> Callable[[ServiceFunction], ServiceFunction]:
        """Register the decorated function as service `name`."""

        def decorator(function: ServiceFunction) -> ServiceFunction:
            if name in self._functions:
                raise ValueError(f"service '{name}' is already registered")
            self._functions[name] = function
            if next(iter(inspect.signature(function).parameters), None) == "ctx":
                self._wants_context.add(name)
            return function

        return decorator

    def on_cancel(self, process_id: str) -> Callable[[Compensation], Compensation]:
        """Register the decorated function to undo what instances of `process_id` did
        to business data (stock they hold, a record they left open) when one is cancelled.

        It is called as `function(ctx, data, reason)`, `data` being what the instance
        knew last, in a savepoint of the cancel; if it raises, the cancel is refused.
        """

        def decorator(function: Compensation) -> Compensation:
            if process_id in self._compensations:
                raise ValueError(f"'{process_id}' already has a compensation")
            self._compensations[process_id] = function
            return function

        return decorator

    def compensation(self, process_id: str) -> Compensation | None:
        return self._compensations.get(process_id)

    def add_read_model(self, model: ReadModel) -> None:
        """Show the recorded changes of `model.entities` in `model.table`.

        See engine/read_models.py.
        """
        taken = {e for m in self._read_models for e in m.entities} & set(model.entities)
        if taken:
            raise ValueError(f"entities {sorted(taken)} already have a read model")
        self._read_models.append(model)

    def read_models(self) -> list[ReadModel]:
        return list(self._read_models)

    def summarise_with(self, function: Summariser) -> None:
        """Let `function` draw each instance's summary (what lists show) from its data."""
        self._summariser = function

    def summary(self, process_id: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """The summary of an instance of `process_id` knowing `data` (None without one).

        A summary only decorates lists: a summariser that fails leaves none rather
        than failing the step being settled.
        """
        if self._summariser is None:
            return None
        try:
            return self._summariser(process_id, data)
        except Exception:  # see the docstring
            _log.exception("the summary of a %s instance failed", process_id)
            return None

    def names(self) -> list[str]:
        """Every operation service tasks may call now: registered, and from connectors."""
        extra = self._connectors.names() if self._connectors is not None else []
        return sorted({*self._functions, *extra})

    def scope(
        self, name: str, *, roles: Collection[str] = ()
    ) -> Callable[[ScopeFunction], ScopeFunction]:
        """Register the decorated function as audience scope `name` (docs/raci.md), for
        the `roles` whose members it can name (any role if none are given).

        It is called as `function(session, case, business_key)` when a task opens and
        returns the username a scoped role narrows to on that case, or None.
        """

        def decorator(function: ScopeFunction) -> ScopeFunction:
            if name in self._scopes:
                raise ValueError(f"scope '{name}' is already registered")
            self._scopes[name] = function
            self._scope_roles[name] = tuple(roles)
            return function

        return decorator

    def scopes(self) -> dict[str, ScopeFunction]:
        return dict(self._scopes)

    def scope_roles(self) -> dict[str, tuple[str, ...]]:
        """Each audience scope and the roles it may narrow (none named: any role)."""
        return dict(self._scope_roles)

    def call(self, name: str, params: dict[str, Any]) -> Any:
        function = self._functions.get(name)
        if function is None:
            found = self._connectors.find(name) if self._connectors is not None else None
            if found is None:
                raise LookupError(
                    f"no service or connector provides operation '{name}' yet; install the"
                    " connector (or add it to the connectors file) and retry"
                )
            return found(**params)
        if name in self._wants_context:
            context = _current_context.get()
            if context is None:
                raise RuntimeError(f"service '{name}' needs a unit of work and has none")
            # A savepoint: a service that fails half-way leaves none of its writes behind,
            # while the instance's error state is still committed.
            with context.session.begin_nested():
                try:
                    result = function(context, **params)
                except BaseException:
                    if context.trail is not None:
                        context.trail.discard()
                    raise
            if context.trail is not None:
                context.trail.commit()
            return result
        return function(**params)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluate and execute task scripts in the sandbox; call registered services."""

    def __init__(
        self,
        services: ServiceRegistry,
        *,
        time_limit: float,
        memory_limit: int = sandbox.DEFAULT_MEMORY_LIMIT,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__({})
        self.services = services
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.now = now  # the engine's clock: what date.today() answers in scripts

    def _clock(self) -> AbstractContextManager[None]:
        return engine_clock(self.now) if self.now is not None else nullcontext()

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        with self._clock():
            return sandbox.evaluate(
                expression,
                {**context, **(external_context or {})},
                time_limit=self.time_limit,
                memory_limit=self.memory_limit,
            )

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        external = external_context or {}
        namespace = {**context, **external}
        with self._clock():
            sandbox.execute(
                script, namespace, time_limit=self.time_limit, memory_limit=self.memory_limit
            )
        from .serialization import as_stored  # it imports this module (decisions)

        # Every value as the saved state gives it back (a list changed in place too), and
        # an unstorable one fails this step, with why, rather than the save after it.
        left = as_stored({k: v for k, v in namespace.items() if k not in external})
        context.clear()
        context.update(left)
        return True

    def call_service(self, context: dict, operation_name: str, operation_params: dict) -> str:
        params = {name: spec["value"] for name, spec in operation_params.items()}
        return json.dumps(self.services.call(operation_name, params), default=str)


class SandboxScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine with a sandboxed environment."""

    def validate(self, expression: str) -> None:
        """Raise SyntaxError if `expression` is no Python. SpiffWorkflow's DMN engine asks
        this of every cell of every rule it checks, at every decision; a text's answer
        never changes, so it is parsed once."""
        refusal = _syntax_error(expression)
        if refusal is not None:
            raise SyntaxError(*refusal)

    def evaluate(self, task: Any, expression: str, external_context: dict | None = None) -> Any:
        """Evaluate `expression`; a failure names the expression and the sandbox's reason."""
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as err:
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {err}", task=task, exception=err
            ) from err

    def call_service(self, task: Any, **kwargs: Any) -> str:
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as err:
            name = kwargs.get("operation_name", "?")
            raise WorkflowTaskException(
                f"service '{name}' failed: {type(err).__name__}: {err}", task=task, exception=err
            ) from err


@lru_cache(maxsize=1024)
def _syntax_error(expression: str) -> tuple[Any, ...] | None:
    """The arguments of the SyntaxError that parsing `expression` raises, or None."""
    try:
        ast.parse(expression)
    except SyntaxError as err:
        return err.args
    return None
