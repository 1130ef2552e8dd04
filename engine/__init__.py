"""raciflow's process runtime: a thin, durable layer over SpiffWorkflow.

Public surface: `build_engine` and `ProcessEngine` (commands), `views` (reads),
`SourceFile` and `collect_files` (definitions), the errors in `engine.errors`.
"""

from .bootstrap import build_engine
from .definitions import SourceFile, collect_files
from .model import InstanceStatus, TaskStatus
from .scripting import ServiceContext, ServiceRegistry
from .services import Deployment, InstanceState, ProcessEngine

__all__ = [
    "Deployment",
    "InstanceState",
    "InstanceStatus",
    "ProcessEngine",
    "ServiceContext",
    "ServiceRegistry",
    "SourceFile",
    "TaskStatus",
    "build_engine",
    "collect_files",
]
