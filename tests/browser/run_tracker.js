// Installed in every test page before Streamlit loads (context.add_init_script). It watches the
// app's WebSocket so that a test can tell exactly when the script run its action asked for is over:
//   - a sent BackMsg whose first field is `rerun_script` (field 11, tag byte 0x5A) is a request;
//   - a received ForwardMsg with `new_session` (field 4) starts a run, which answers every request
//     sent before it;
//   - a received ForwardMsg with `script_finished` (field 6) ends a run, with its status (0 finished,
//     1 compile error, 2 stopped early for a rerun, 3 a fragment finished).
// `requested === answered` means every run asked for has been drawn.
// Streamlit shows "notRunning" also before the server has started the run a click asked for, so the
// page's own attribute alone cannot tell "done" from "not yet started".
(() => {
  const state = { requested: 0, started: 0, answered: 0 };
  window.__portfoljRuns = state;

  function varint(bytes, pos) {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return [value, pos];
      shift += 7;
    }
  }

  // What the ForwardMsg is to a run: "started", ["finished", status] or null.
  function runEvent(bytes) {
    let pos = 0;
    while (pos < bytes.length) {
      let tag;
      [tag, pos] = varint(bytes, pos);
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (wire === 0) {
        let value;
        [value, pos] = varint(bytes, pos);
        if (field === 6) return ["finished", value];
      } else if (wire === 2) {
        let length;
        [length, pos] = varint(bytes, pos);
        if (field === 4) return ["started", null];
        pos += length;
      } else if (wire === 1) {
        pos += 8;
      } else if (wire === 5) {
        pos += 4;
      } else {
        return null;
      }
    }
    return null;
  }

  const Native = window.WebSocket;
  class Tracked extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const run = runEvent(new Uint8Array(event.data));
        if (run === null) return;
        if (run[0] === "started") state.started = state.requested;
        else if (run[1] !== 2) state.answered = state.started;
      });
    }

    send(data) {
      const bytes = ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data);
      if (bytes.length > 0 && bytes[0] === 0x5a) state.requested += 1;
      return super.send(data);
    }
  }
  window.WebSocket = Tracked;
})();
