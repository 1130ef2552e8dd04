"""Plug the sandbox and the service registry into SpiffWorkflow's script engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import sandbox

ServiceFunction = Callable[..., Any]


class ServiceRegistry:
    """Python functions that BPMN service tasks may call, by name."""

    def __init__(self) -> None:
        self._functions: dict[str, ServiceFunction] = {}

    def register(self, name: str) -> Callable[[ServiceFunction], ServiceFunction]:
        """Register the decorated function as service `name`."""

        def decorator(function: ServiceFunction) -> ServiceFunction:
            if name in self._functions:
                raise ValueError(f"service '{name}' is already registered")
            self._functions[name] = function
            return function

        return decorator

    def names(self) -> list[str]:
        return sorted(self._functions)

    def call(self, name: str, params: dict[str, Any]) -> Any:
        try:
            function = self._functions[name]
        except KeyError:
            raise LookupError(f"no service registered as '{name}'") from None
        return function(**params)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluate and execute task scripts in the sandbox; call registered services."""

    def __init__(self, services: ServiceRegistry, *, time_limit: float) -> None:
        super().__init__({})
        self.services = services
        self.time_limit = time_limit

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        return sandbox.evaluate(
            expression, {**context, **(external_context or {})}, time_limit=self.time_limit
        )

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        external = external_context or {}
        namespace = {**context, **external}
        sandbox.execute(script, namespace, time_limit=self.time_limit)
        context.clear()
        context.update({k: v for k, v in namespace.items() if k not in external})
        return True

    def call_service(self, context: dict, operation_name: str, operation_params: dict) -> str:
        params = {name: spec["value"] for name, spec in operation_params.items()}
        return json.dumps(self.services.call(operation_name, params), default=str)


class SandboxScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine with a sandboxed environment."""

    def call_service(self, task: Any, **kwargs: Any) -> str:
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as err:
            name = kwargs.get("operation_name", "?")
            raise WorkflowTaskException(
                f"service '{name}' failed: {type(err).__name__}: {err}", task=task, exception=err
            ) from err
