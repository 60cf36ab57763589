"""Value: a scalar that remembers how it was made, so that backward() can find every gradient.

Each operation creates one node and stores, as plain floats, the derivative of that node with
respect to each of its children (its local gradients). The backward pass is then nothing but
multiplications and sums over those numbers. There are no closures, so no reference cycles: a
graph is freed by reference counting alone.

Every operation has one or two operands, so a node keeps its children and their local gradients
in four slots of its own rather than in tuples: one object per node instead of two or three,
which halves both the memory and the cyclic garbage collector's work while a graph is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from math import exp as _exp, isfinite as _isfinite, log as _log, tanh as _tanh

_NUMBER_TYPES = (int, float)
_new_object = object.__new__
_BINARY_OPS = ("+", "-", "*", "/")


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
    A node has at most two children: `_left` (None for a leaf) and `_right` (None unless binary),
    with d(self)/d(child) in `_left_grad` and `_right_grad`. `_seen_by` is topological_order's
    mark: the search that last met the node.
    """

    __slots__ = ("_left", "_left_grad", "_op", "_right", "_right_grad", "_seen_by", "data", "grad", "label")

    def __init__(self, data: float, _children: Iterable[Value] = (), _op: str = "", label: str = "", *,
                 _local_grads: Iterable[float] = ()) -> None:
        self.grad = 0.0
        self._seen_by = None
        self.label = label
        self._op = _op
        children, local_grads = tuple(_children), tuple(map(float, _local_grads))
        if len(local_grads) != len(children):
            raise ValueError("a Value needs one local gradient per child (_local_grads)")
        if len(children) > 2:
            raise ValueError("a Value has at most two children, as every operation has")
        self._left, self._right = (*children, None, None)[:2]
        self._left_grad, self._right_grad = (*local_grads, 0.0, 0.0)[:2]
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
        left, right = self._left, self._right
        if left is None:
            return ()
        return (left,) if right is None else (left, right)

    _prev = children  # micrograd's name for the same thing, for tools written against micrograd

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(child) for each child, in the same order as `children`."""
        if self._right is not None:
            return (self._left_grad, self._right_grad)
        return () if self._left is None else (self._left_grad,)

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
        # Built here rather than by _binary: a network is nearly all sums and products, and a
        # call less per node is a tenth of the forward pass. The fields are _binary's.
        node = _new_object(Value)
        node.data = data = self.data + other.data
        node.grad = 0.0
        node._seen_by = None
        node.label = ""
        node._op = "+"
        node._left = self
        node._right = other
        node._left_grad = 1.0
        node._right_grad = 1.0
        if not _isfinite(data):
            raise _not_finite(node)
        return node

    def __sub__(self, other):
        """self - other."""
        if not isinstance(other, Value):
            if not isinstance(other, _NUMBER_TYPES):
                return NotImplemented
            other = _constant(other)
        return _binary(self.data - other.data, "-", self, other, 1.0, -1.0)

    def __mul__(self, other):
        """self * other."""
        if not isinstance(other, Value):
            if not isinstance(other, _NUMBER_TYPES):
                return NotImplemented
            other = _constant(other)
        left, right = self.data, other.data
        node = _new_object(Value)  # built here, as in __add__
        node.data = data = left * right
        node.grad = 0.0
        node._seen_by = None
        node.label = ""
        node._op = "*"
        node._left = self
        node._right = other
        node._left_grad = right
        node._right_grad = left
        if not _isfinite(data):
            raise _not_finite(node)
        return node

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
        return _binary(out, "/", self, other, *local_grads)

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
        return _unary(-self.data, "neg", self, -1.0)

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
        return _unary(out, op, self, local_grad)

    # --- functions -----------------------------------------------------------------------------

    def tanh(self):
        """Hyperbolic tangent; local gradient 1 - tanh²."""
        if not _isfinite(self.data):
            raise _not_finite_input("tanh", (self,))
        out = _tanh(self.data)
        return _unary(out, "tanh", self, 1.0 - out * out)

    def exp(self):
        """e ** self; raises EngineError when the result would overflow a float."""
        if not _isfinite(self.data):
            raise _not_finite_input("exp", (self,))
        try:
            out = _exp(self.data)
        except OverflowError:
            reason = f"{_describe(self)} is too large; exp overflows a float above about 709.78"
            raise _error("exp", (self,), reason) from None
        return _unary(out, "exp", self, out)

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
        return _unary(_log(value), "log", self, local_grad)

    def relu(self):
        """max(0, self); local gradient 1 where the input is positive, else 0."""
        if not _isfinite(self.data):
            raise _not_finite_input("relu", (self,))
        if self.data > 0.0:
            return _unary(self.data, "relu", self, 1.0)
        return _unary(0.0, "relu", self, 0.0)

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
        return _unary(out, "sigmoid", self, out * (1.0 - out))

    # --- backward ------------------------------------------------------------------------------

    def backward(self) -> None:
        """Set every node's .grad to d(self)/d(node), resetting all grads in the graph to 0.0 first.

        Unlike PyTorch, gradients do not pile up across calls; within one pass, a node reached
        by several paths sums every contribution. A second call gives the same gradients again.
        """
        order = _start_backward(self)
        for node in reversed(order):
            left = node._left
            if left is None:
                continue
            upstream_grad = node.grad
            left.grad += node._left_grad * upstream_grad
            right = node._right
            if right is not None:  # after left, so that a * a adds both contributions to a
                right.grad += node._right_grad * upstream_grad
        _check_gradients(order, self)




def _binary(data: float, op: str, left: Value, right: Value | None, left_grad: float, right_grad: float) -> Value:
    """A node made by a two-operand operation, built without Value.__init__: the operation has
    already checked its inputs and computed its local gradients, so only the result is checked.

    This skips a type call, tuple copies and a float conversion per node, which is most of the
    cost of building a graph.
    """
    node = _new_object(Value)
    node.data = data
    node.grad = 0.0
    node._seen_by = None
    node.label = ""
    node._op = op
    node._left = left
    node._right = right
    node._left_grad = left_grad
    node._right_grad = right_grad
    if not _isfinite(data):
        raise _not_finite(node)
    return node


def _unary(data: float, op: str, child: Value, local_grad: float) -> Value:
    """A node made by a one-operand operation: a binary node with no right operand."""
    return _binary(data, op, child, None, local_grad, 0.0)


def topological_order(output: Value) -> list[Value]:
    """Every node of output's graph once, children before parents, output last.

    An iterative post-order depth-first search visiting children in their tuple order: the same
    graph always gives the same order, and no depth hits the recursion limit. It marks the nodes
    it meets, so two threads must not order one graph at the same time (nor run backward on it,
    which writes every grad anyway).
    """
    # The stack holds nodes still to visit; _FINISH above a node means "its children are done,
    # emit it". From a node taken off the stack the search walks straight down its left operands
    # (visited first, as recursion would), leaving each right operand on the stack for later: a
    # sum a + b + c + ... is one walk rather than a push and a pop per term. A node pushed twice
    # is expanded where it is met first and skipped later. A node met is marked in its own slot
    # (_seen_by) rather than added to a set: a slot store and a load instead of hashing into a
    # table as large as the graph. Nothing is allocated per node beyond the stack's slots, which
    # keeps the cyclic garbage collector out of the way.
    order: list[Value] = []
    stack: list = [output]
    walk = object()  # this search's mark: a node whose _seen_by is walk has been met
    emit, push, pop = order.append, stack.append, stack.pop
    while stack:
        node = pop()
        if node is _FINISH:
            emit(pop())
            continue
        while node._seen_by is not walk:  # down the chain of left operands
            node._seen_by = walk
            left = node._left
            if left is None:  # a leaf
                emit(node)
                break
            right = node._right
            if right is not None and right._seen_by is not walk:
                push(node)
                push(_FINISH)
                push(right)  # visited once left's subgraph is done
            elif left._seen_by is walk:  # both operands done already
                emit(node)
                break
            else:
                push(node)
                push(_FINISH)
            node = left
    return order


_FINISH = object()  # a stack marker in topological_order


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


def _constant(number: float) -> Value:
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
    children = node.children
    if not children:
        return _error(node._op, (node,), f"{_describe(node)} is not a finite number; a Value must hold a finite number")
    if not all(_isfinite(child.data) for child in children):
        return _not_finite_input(node._op, children)
    inputs = ", ".join(_describe(child) for child in children)
    reason = f"the result ({node.data!r}) overflows a float; {inputs} are too large"
    return _error(node._op, children, reason)
