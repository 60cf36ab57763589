"""The scalar autograd engine: Values, their backward pass, and that pass recorded step by step.

Pure Python with no dependencies: nothing here may import textual or rich.
"""

from tui_grad.engine.collector import collector_paused
from tui_grad.engine.steps import BackwardStep, backward_steps
from tui_grad.engine.value import EngineError, Value, topological_order

__all__ = ["BackwardStep", "EngineError", "Value", "backward_steps", "collector_paused", "topological_order"]
