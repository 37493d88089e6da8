"""A viewflow Split that creates one task per item of a data source.

viewflow 2.4.0 documents `Split().Next(node, data_source=...)` but its Split ignores the
argument (checked in the installed source); this node implements exactly that contract:
one `node` task per item, with `task.data` set to the item.
"""

from viewflow.workflow import flow
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation


class DataSplitActivation(SplitActivation):
    @SplitActivation.status.super()
    def activate(self):
        for node, cond, data_source in self.flow_task._branches:
            if cond and not cond(self):
                continue
            items = data_source(self) if data_source else [None]
            self.next_tasks.extend((node, item) for item in items)
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class DataSplit(flow.Split):
    activation_class = DataSplitActivation

    def Next(self, node, case=None, data_source=None):  # viewflow's fluent API
        self._activate_next.append((node, case, data_source))
        return self
