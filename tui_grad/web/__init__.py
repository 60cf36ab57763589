"""The lab: `tui-grad serve` runs one tutor per browser tab, each learner in their own progress folder.

`lab` reads the roster and keeps the secret links (no web library); `server` is the web server
(aiohttp, from the optional `web` extra); `session` is what each browser tab runs. Nothing outside
this package imports it except the `tui-grad serve` command (`tui_grad.serve`); what the app asks
about its surroundings (`served`) lives in `tui_grad.terminal`.
"""
