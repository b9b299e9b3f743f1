/* Review screen: move between the fields, comment on one, verify or return, by keyboard.
 *
 * j / Enter          next field            k / Shift+Enter   previous field
 * c                  comment on the current field; Enter (or Esc) leaves the comment, kept
 * v / Ctrl+Enter     verify (refused while comments are typed), then the next in the queue
 * r                  return with the comments typed (refused without one)
 * F2                 to the scan viewer; Esc there comes back to the current field
 * Alt+PageDown       skip to the next record in the queue
 */
(function () {
  "use strict";
  const form = document.getElementById("review-form");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll("[data-rf]"));
  const viewer = document.querySelector("[data-hotich-viewer]");
  const state = form.querySelector("[data-review-state]");
  let current = 0;
  let sending = false;

  function inputOf(row) { return row.querySelector("[data-comment]"); }
  function typed() { return Array.from(form.querySelectorAll("[data-comment]")).filter((el) => el.value.trim()); }
  function say(text) { if (state) state.textContent = text || ""; }

  function show(i, focus) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((row, j) => {
      row.classList.toggle("is-current", j === current);
      row.tabIndex = j === current ? 0 : -1;
    });
    if (focus !== false) rows[current].focus();
  }
  function comment() {
    const input = inputOf(rows[current]);
    if (input) { input.focus(); input.select(); }
  }
  function leave(input, step) {
    const row = input.closest("[data-rf]");
    row.classList.toggle("has-comment", !!input.value.trim());
    show(rows.indexOf(row) + step);
  }
  function send(action) {
    const button = form.querySelector('button[name="action"][value="' + action + '"]');
    if (!button) { say(form.dataset.tNotAllowed); return; }
    if (action === "verify" && typed().length) { say(form.dataset.tHasComments); return; }
    if (action === "return" && !typed().length) { say(form.dataset.tNeedComment); comment(); return; }
    sending = true;
    say(form.dataset.tSending);
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
  }

  // With the script, Tab goes to the current field and the buttons, not through every comment.
  form.querySelectorAll("[data-comment]").forEach((el) => { el.tabIndex = -1; });
  form.addEventListener("focusin", (ev) => {
    const row = ev.target.closest && ev.target.closest("[data-rf]");
    if (row && rows.indexOf(row) !== current) show(rows.indexOf(row), false);
  });
  form.addEventListener("input", (ev) => {
    if (ev.target.matches("[data-comment]")) {
      ev.target.closest("[data-rf]").classList.toggle("has-comment", !!ev.target.value.trim());
      say("");
    }
  });
  form.addEventListener("submit", () => { sending = true; });

  document.addEventListener("keydown", (ev) => {
    if (sending) return;
    const el = document.activeElement;
    if (viewer && viewer.contains(el)) {
      if (ev.key === "Escape") { ev.preventDefault(); show(current); }
      return; // the viewer's own keys (r rotates, c contrast, ...)
    }
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); send("verify"); return; }
    if (ev.altKey && ev.key === "PageDown") {
      const skip = document.querySelector("[data-review-skip]");
      if (skip) { ev.preventDefault(); window.location.href = skip.href; }
      return;
    }
    if (ev.key === "F2" && viewer) { ev.preventDefault(); viewer.focus(); return; }
    if (el && el.matches && el.matches("[data-comment]")) {
      if (ev.key === "Enter" && !ev.altKey) { ev.preventDefault(); leave(el, ev.shiftKey ? -1 : 1); }
      else if (ev.key === "Escape") { ev.preventDefault(); leave(el, 0); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
    const onRow = !el || el === document.body || (el.matches && el.matches("[data-rf]"));
    switch (ev.key) {
      case "Enter":
        if (!onRow) return; // a link or a button: let it act
        show(current + (ev.shiftKey ? -1 : 1)); break;
      case "j": show(current + 1); break;
      case "k": show(current - 1); break;
      case "c": comment(); break;
      case "v": send("verify"); break;
      case "r": send("return"); break;
      default: return;
    }
    ev.preventDefault();
  });

  window.addEventListener("beforeunload", (ev) => {
    if (!sending && typed().length) { ev.preventDefault(); ev.returnValue = ""; }
  });

  // Start where the work is: a comment being written, else a field commented on before.
  const start = form.querySelector(".rf.has-comment") || form.querySelector(".rf.has-open");
  show(start ? rows.indexOf(start) : 0);
})();
