"""An Input that applies every key in the order it was typed.

Textual's Input inserts a printable character in its own key handler, but its editing keys
(Backspace, Delete, arrows, Home, End, ...) are bindings, which Textual runs only once the key has
bubbled from the field up to the app. When keys arrive together (a browser's websocket, a slow
link, a busy machine), the character typed after a Backspace is in the field before the Backspace
runs, and the Backspace then deletes it: "-11" typed over a selected answer was saved as "11".
This is Textualize/textual#6605 (fix proposed in Textualize/textual#6631). Here the field runs its
own bindings from its key handler, where the characters are handled: in order. What runs is what
Textual would run, since the focused widget's bindings come first in its binding chain and
priority bindings have been checked before the key reaches the field.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class InOrderInput(Input):
    """An Input whose editing keys take effect in order with the characters typed around them."""

    async def on_key(self, event: events.Key) -> None:
        if event.is_printable or not await run_own_binding(self, event):
            return
        event.stop()
        event.prevent_default()  # the binding ran: Input's handler and the bubbling have nothing left to do
        self._restart_blink()


async def run_own_binding(widget: Input, event: events.Key) -> bool:
    """Run `widget`'s own (non-priority) binding of this key now, as the app would later; True if one ran."""
    chain = widget.screen._binding_chain if widget.has_focus else []
    for namespace, bindings in chain[:1]:  # the focused widget's own bindings, the app's keymap applied
        if namespace is not widget:
            return False
        for binding in bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await widget.app.run_action(binding.action, widget):
                return True
    return False
