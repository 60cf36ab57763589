// The lab page's own script (before textual.js): leave the browser its reload key, and when the
// tab's session ends, say why, asking the server when it can (a refused websocket tells the page
// nothing) and what to do next.
(() => {
  "use strict";
  // Ctrl+R reloads the page, as in any tab, instead of reaching the tutor through xterm.js (the
  // tutor binds it to nothing in a browser; a reload ends the session, every answer saved).
  window.addEventListener("keydown", (event) => {
    if (event.ctrlKey && !event.altKey && !event.metaKey && event.key.toLowerCase() === "r") {
      event.stopImmediatePropagation();
    }
  }, true);
  let opened = false;
  let explained = false;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener("open", () => { opened = true; });
      this.addEventListener("close", (event) => { explain(event.code); });
    }
  };

  async function reason(code) {
    const notice = document.getElementById("ended").dataset;
    if (code === 1001) return notice.stopped;  // the server closed every tab as it stopped
    if (opened && code === 1000) return notice.ended;  // the tutor quit: nothing to ask
    let response;
    try {
      const page = window.location.pathname.replace(/\/+$/, "");
      response = await fetch(page + "/why", { method: "POST", cache: "no-store" });
    } catch (error) {
      return notice.stopped;  // nobody answers: the server has stopped (or the network is down)
    }
    if (response.status === 404) return notice.gone;
    if (!response.ok) return notice.notStarted;
    const answer = await response.json();
    if (answer.text) return answer.text;
    return opened ? notice.ended : notice.notStarted;
  }

  async function explain(code) {
    if (explained) return;
    explained = true;
    const text = await reason(code);
    document.getElementById("ended-why").textContent = text;
  }
})();
