"""Value: a scalar that remembers how it was made, so that backward() can find every gradient.

Each operation creates one node and stores, as plain floats, the derivative of that node with
respect to each of its children (its local gradients). The backward pass is then nothing but
multiplications and sums over those numbers. There are no closures, so no reference cycles: a
graph is freed by reference counting alone.
"""

from __future__ import annotations

from math import exp as _exp
from math import isfinite as _isfinite
from math import log as _log
from math import tanh as _tanh

_NUMBER_TYPES = (int, float)
_BINARY_OPS = ("+", "-", "*", "/")
# Local gradients that never change, shared by every node that has them (tuples are immutable).
_ONE, _ZERO, _MINUS_ONE = (1.0,), (0.0,), (-1.0,)
_ONE_ONE, _ONE_MINUS_ONE = (1.0, 1.0), (1.0, -1.0)


class EngineError(ArithmeticError):
    """Arithmetic the engine cannot do (log of 0, division by zero, overflow), naming the nodes."""

    def __init__(self, op: str, operands: tuple[str, ...], reason: str) -> None:
        super().__init__(op, tuple(operands), reason)
        self.op = op
        self.operands = tuple(operands)
        self.reason = reason

    def __str__(self) -> str:
        return f"{_expression(self.op, self.operands)}: {self.reason}"


class Value:
    """A scalar in a computation graph: its data, its gradient, and the children it was made from.

    Built like micrograd's, `Value(data, label="a")`; operations also pass `_local_grads`.
    """

    __slots__ = ("data", "grad", "label", "_op", "_prev", "_local_grads")

    def __init__(self, data, _children=(), _op="", label="", *, _local_grads=()) -> None:
        self.grad = 0.0
        self.label = label
        self._op = _op
        self._prev = _children = tuple(_children)
        self._local_grads = _local_grads = tuple(_local_grads)
        if len(_local_grads) != len(_children):
            raise ValueError("a Value needs one local gradient per child (_local_grads)")
        try:
            self.data = float(data)
        except OverflowError:
            raise EngineError(_op, (label or "number",), "the number is too large for a float") from None
        if not _isfinite(self.data):
            raise _not_finite(self)

    @property
    def op(self) -> str:
        """The operation that made this node ("+", "tanh", "**2", ...), or "" for a leaf."""
        return self._op

    @property
    def children(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in operand order."""
        return self._prev

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(child) for each child, in the same order as `children`."""
        return self._local_grads

    def __repr__(self) -> str:
        label = f"label={self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data!r}, grad={self.grad!r})"

    # --- arithmetic: each operation makes exactly one new node -------------------------------

    def __add__(self, other):
        """self + other."""
        if not isinstance(other, Value):
            if not isinstance(other, _NUMBER_TYPES):
                return NotImplemented
            other = _constant(other)
        return _node(self.data + other.data, (self, other), "+", _ONE_ONE)

    def __sub__(self, other):
        """self - other."""
        if not isinstance(other, Value):
            if not isinstance(other, _NUMBER_TYPES):
                return NotImplemented
            other = _constant(other)
        return _node(self.data - other.data, (self, other), "-", _ONE_MINUS_ONE)

    def __mul__(self, other):
        """self * other."""
        if not isinstance(other, Value):
            if not isinstance(other, _NUMBER_TYPES):
                return NotImplemented
            other = _constant(other)
        left, right = self.data, other.data
        return _node(left * right, (self, other), "*", (right, left))

    def __truediv__(self, other):
        """self / other; dividing by zero raises EngineError."""
        if not isinstance(other, Value):
            if not isinstance(other, _NUMBER_TYPES):
                return NotImplemented
            other = _constant(other)
        numerator, denominator = self.data, other.data
        if denominator == 0.0:
            raise _error("/", (self, other), f"{_describe(other)} is zero; division by zero is undefined")
        if not (_isfinite(numerator) and _isfinite(denominator)):
            raise _not_finite_input("/", (self, other))
        out = numerator / denominator
        local_grads = (1.0 / denominator, -out / denominator)
        if not (_isfinite(local_grads[0]) and _isfinite(local_grads[1])):
            raise _steep("/", (self, other))
        return _node(out, (self, other), "/", local_grads)

    def __radd__(self, other):
        """other + self, for a plain number on the left."""
        return _constant(other) + self if isinstance(other, _NUMBER_TYPES) else NotImplemented

    def __rsub__(self, other):
        """other - self, for a plain number on the left."""
        return _constant(other) - self if isinstance(other, _NUMBER_TYPES) else NotImplemented

    def __rmul__(self, other):
        """other * self, for a plain number on the left."""
        return _constant(other) * self if isinstance(other, _NUMBER_TYPES) else NotImplemented

    def __rtruediv__(self, other):
        """other / self, for a plain number on the left."""
        return _constant(other) / self if isinstance(other, _NUMBER_TYPES) else NotImplemented

    def __neg__(self):
        """-self, a node of its own (op "neg")."""
        return _node(-self.data, (self,), "neg", _MINUS_ONE)

    def __pow__(self, exponent):
        """self ** exponent for a plain number exponent; op is e.g. "**2" or "**0.5"."""
        if isinstance(exponent, Value) or not isinstance(exponent, _NUMBER_TYPES):
            raise TypeError(f"exponent must be a number, not {type(exponent).__name__}")
        try:
            power = float(exponent)
        except OverflowError:
            raise _error("**", (self,), "the exponent is too large for a float") from None
        op, base = f"**{power:g}", self.data
        if not (_isfinite(base) and _isfinite(power)):
            reason = f"{_describe(self)} and the exponent {power:g} must both be finite numbers"
            raise _error(op, (self,), reason)
        if base < 0.0 and not power.is_integer():
            reason = f"{_describe(self)} is negative; a negative number has no real power {power:g}"
            raise _error(op, (self,), reason)
        if base == 0.0 and power < 0.0:
            raise _error(op, (self,), f"{_describe(self)} is zero; 0 cannot be raised to a negative power")
        try:
            out = base**power
            local_grad = power * base ** (power - 1.0) if power != 0.0 else 0.0
        except OverflowError:
            raise _error(op, (self,), f"{_describe(self)} is too large; the power overflows a float") from None
        except ZeroDivisionError:  # 0 ** (power - 1) for 0 < power < 1: the curve is vertical at 0
            raise _steep(op, (self,)) from None
        if not _isfinite(local_grad):
            raise _steep(op, (self,))
        return _node(out, (self,), op, (local_grad,))

    # --- functions -----------------------------------------------------------------------------

    def tanh(self):
        """Hyperbolic tangent; local gradient 1 - tanh²."""
        if not _isfinite(self.data):
            raise _not_finite_input("tanh", (self,))
        out = _tanh(self.data)
        return _node(out, (self,), "tanh", (1.0 - out * out,))

    def exp(self):
        """e ** self; raises EngineError when the result would overflow a float."""
        if not _isfinite(self.data):
            raise _not_finite_input("exp", (self,))
        try:
            out = _exp(self.data)
        except OverflowError:
            reason = f"{_describe(self)} is too large; exp overflows a float above about 709.78"
            raise _error("exp", (self,), reason) from None
        return _node(out, (self,), "exp", (out,))

    def log(self):
        """Natural logarithm; needs a positive input."""
        value = self.data
        if not _isfinite(value):
            raise _not_finite_input("log", (self,))
        if value <= 0.0:
            raise _error("log", (self,), f"{_describe(self)} is not positive; log needs a positive number")
        local_grad = 1.0 / value
        if not _isfinite(local_grad):
            raise _steep("log", (self,))
        return _node(_log(value), (self,), "log", (local_grad,))

    def relu(self):
        """max(0, self); local gradient 1 where the input is positive, else 0."""
        if not _isfinite(self.data):
            raise _not_finite_input("relu", (self,))
        if self.data > 0.0:
            return _node(self.data, (self,), "relu", _ONE)
        return _node(0.0, (self,), "relu", _ZERO)

    def sigmoid(self):
        """1 / (1 + e ** -self), computed without overflow for inputs of either sign."""
        value = self.data
        if not _isfinite(value):
            raise _not_finite_input("sigmoid", (self,))
        if value >= 0.0:
            out = 1.0 / (1.0 + _exp(-value))
        else:
            exp_value = _exp(value)
            out = exp_value / (1.0 + exp_value)
        return _node(out, (self,), "sigmoid", (out * (1.0 - out),))

    # --- backward ------------------------------------------------------------------------------

    def backward(self) -> None:
        """Set every node's .grad to d(self)/d(node), resetting all grads in the graph to 0.0 first.

        Unlike PyTorch, gradients do not pile up across calls; within one pass, a node reached
        by several paths sums every contribution. A second call gives the same gradients again.
        """
        order = _start_backward(self)
        for node in reversed(order):
            children = node._prev
            if not children:
                continue
            upstream_grad = node.grad
            if len(children) == 2:  # unrolled: binary nodes dominate, and this halves the time
                left, right = children
                left_local, right_local = node._local_grads
                left.grad += left_local * upstream_grad
                right.grad += right_local * upstream_grad
            else:
                for child, local_grad in zip(children, node._local_grads):
                    child.grad += local_grad * upstream_grad
        _check_gradients(order, self)


_new_object = object.__new__


def _node(data: float, children: tuple, op: str, local_grads: tuple) -> Value:
    """A node made by an operation, built without Value.__init__: the operation has already checked
    its inputs and computed its local gradients, so only the result is left to check.

    This skips a type call, two tuple copies and a float conversion per node, which is most of
    the cost of building a graph.
    """
    node = _new_object(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node._op = op
    node._prev = children
    node._local_grads = local_grads
    if not _isfinite(data):
        raise _not_finite(node)
    return node


def topological_order(output: Value) -> list[Value]:
    """Every node of output's graph once, children before parents, output last.

    An iterative post-order depth-first search visiting children in their tuple order: the same
    graph always gives the same order, and no depth hits the recursion limit.
    """
    order: list[Value] = []
    seen = {output}
    stack = [(output, iter(output._prev))]
    add_seen, add_to_order, push, pop = seen.add, order.append, stack.append, stack.pop
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen:
                add_seen(child)
                if child._prev:
                    push((child, iter(child._prev)))
                    break
                add_to_order(child)  # a leaf is finished as soon as it is reached
        else:
            pop()
            add_to_order(node)
    return order


def _start_backward(output: Value) -> list[Value]:
    """Topologically order output's graph, zero every grad and seed output.grad with 1."""
    order = topological_order(output)
    for node in order:
        node.grad = 0.0
    output.grad = 1.0
    return order


def _check_gradients(order: list[Value], output: Value) -> None:
    """Raise EngineError if the backward pass overflowed a gradient to inf or nan."""
    for node in order:
        if not _isfinite(node.grad):
            out_name, name = _name(output), _name(node)
            reason = f"d{out_name}/d{name} = {node.grad!r}: the product of local gradients overflows a float"
            raise EngineError("backward", (out_name, name), reason)


def _constant(number) -> Value:
    """A plain number as a constant leaf, labelled with the number itself."""
    try:
        value = float(number)
    except OverflowError:
        raise EngineError("", ("number",), "the number is too large for a float") from None
    return Value(value, label=f"{value:g}")


# --- error messages ------------------------------------------------------------------------------


def _name(node: Value) -> str:
    """How a node is called in messages: its label, or its data when unlabelled."""
    return node.label or repr(node.data)


def _describe(node: Value) -> str:
    """A node with its value, e.g. "x = -3"; just its name when that already is the value."""
    name, shown = _name(node), f"{node.data:g}"
    return name if name in (shown, repr(node.data)) else f"{name} = {shown}"


def _expression(op: str, operands: tuple[str, ...]) -> str:
    """How an operation reads in a message: "log(x)", "a / b", "x ** 0.5", "-a"."""
    if op in _BINARY_OPS and len(operands) == 2:
        return f"{operands[0]} {op} {operands[1]}"
    names = ", ".join(operands)
    if op == "neg":
        return f"-{names}"
    if op.startswith("**"):
        return f"{names} ** {op[2:]}"
    return f"{op or 'Value'}({names})"


def _error(op: str, nodes: tuple[Value, ...], reason: str) -> EngineError:
    """An EngineError for `op` applied to `nodes`."""
    return EngineError(op, tuple(_name(node) for node in nodes), reason)


def _not_finite_input(op: str, nodes: tuple[Value, ...]) -> EngineError:
    """The error for an input that is inf or nan."""
    bad = next(node for node in nodes if not _isfinite(node.data))
    return _error(op, nodes, f"{_describe(bad)} is not a finite number")


def _steep(op: str, nodes: tuple[Value, ...]) -> EngineError:
    """The error for a local gradient too large for a float (a vertical slope, as for √x at 0)."""
    at = ", ".join(_describe(node) for node in nodes)
    return _error(op, nodes, f"the gradient at {at} is infinite or too large for a float")


def _not_finite(node: Value) -> EngineError:
    """The error for a new node whose data came out inf or nan."""
    if not node._prev:
        return _error(node._op, (node,), f"{_describe(node)} is not a finite number; a Value must hold a finite number")
    if not all(_isfinite(child.data) for child in node._prev):
        return _not_finite_input(node._op, node._prev)
    inputs = ", ".join(_describe(child) for child in node._prev)
    reason = f"the result ({node.data!r}) overflows a float; {inputs} are too large"
    return _error(node._op, node._prev, reason)
