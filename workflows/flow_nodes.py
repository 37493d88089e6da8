"""A viewflow Split that creates one task per item of a data source.

viewflow 2.4.0 documents `Split().Next(node, data_source=...)` but its Split ignores the
argument (checked in the installed source); this node implements exactly that contract:
one `node` task per item, with `task.data` set to the item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Self

from viewflow.workflow import flow
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation

if TYPE_CHECKING:
    from viewflow.this_object import ThisObject
    from viewflow.workflow.activation import Activation
    from viewflow.workflow.base import Node

# viewflow ships no types: its classes and decorators are Any to mypy.


class DataSplitActivation(SplitActivation):  # type: ignore[misc]
    @SplitActivation.status.super()  # type: ignore[untyped-decorator]
    def activate(self) -> None:
        for node, cond, data_source in self.flow_task._branches:
            if cond and not cond(self):
                continue
            items = data_source(self) if data_source else [None]
            self.next_tasks.extend((node, item) for item in items)
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class DataSplit(flow.Split):  # type: ignore[misc]
    activation_class = DataSplitActivation

    def Next(  # viewflow's fluent API
        self,
        node: Node | ThisObject,
        case: Callable[[Activation], bool] | ThisObject | None = None,
        data_source: Callable[[Activation], Iterable[object]] | ThisObject | None = None,
    ) -> Self:
        self._activate_next.append((node, case, data_source))
        return self
