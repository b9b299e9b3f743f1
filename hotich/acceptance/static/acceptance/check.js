/* Acceptance check screen: compare each field with the scan and mark the wrong ones, by keyboard.
 *
 * j / Enter        next field            k / Shift+Enter   previous field
 * x / Space        mark the current field wrong (again: not wrong)
 * n                the note; Esc leaves it
 * Ctrl+Enter       save the check, then the next sampled record
 * F2               to the scan viewer; Esc there comes back to the current field
 * Alt+PageDown     skip to the next sampled record
 */
(function () {
  "use strict";
  const form = document.getElementById("acc-check-form");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll("[data-rf]"));
  const viewer = document.querySelector("[data-hotich-viewer]");
  const note = form.querySelector("[data-acc-note]");
  const state = form.querySelector("[data-acc-state]");
  let current = 0;
  let sending = false;

  function box(row) { return row.querySelector("[data-wrong]"); }
  function show(i, focus) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((row, j) => {
      row.classList.toggle("is-current", j === current);
      row.tabIndex = j === current ? 0 : -1;
    });
    if (focus !== false) rows[current].focus();
  }
  function toggle() {
    const input = box(rows[current]);
    if (!input || input.disabled) return;
    input.checked = !input.checked;
    rows[current].classList.toggle("is-wrong", input.checked);
  }
  function send() {
    const button = form.querySelector('button[type="submit"]');
    if (!button) return;
    sending = true;
    if (state) state.textContent = form.dataset.tSending || "";
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
  }

  form.querySelectorAll("[data-wrong]").forEach((input) => {
    input.tabIndex = -1;
    input.addEventListener("change", () => {
      input.closest("[data-rf]").classList.toggle("is-wrong", input.checked);
    });
  });
  form.addEventListener("focusin", (ev) => {
    const row = ev.target.closest && ev.target.closest("[data-rf]");
    if (row && rows.indexOf(row) !== current) show(rows.indexOf(row), false);
  });
  form.addEventListener("submit", () => { sending = true; });

  document.addEventListener("keydown", (ev) => {
    if (sending) return;
    const el = document.activeElement;
    if (viewer && viewer.contains(el)) {
      if (ev.key === "Escape") { ev.preventDefault(); show(current); }
      return;
    }
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); send(); return; }
    if (ev.altKey && ev.key === "PageDown") {
      const skip = document.querySelector("[data-acc-skip]");
      if (skip) { ev.preventDefault(); window.location.href = skip.href; }
      return;
    }
    if (ev.key === "F2" && viewer) { ev.preventDefault(); viewer.focus(); return; }
    if (el === note) {
      if (ev.key === "Escape") { ev.preventDefault(); show(current); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON|A)$/.test(el.tagName))) return;
    switch (ev.key) {
      case "Enter": show(current + (ev.shiftKey ? -1 : 1)); break;
      case "j": show(current + 1); break;
      case "k": show(current - 1); break;
      case "x": case " ": toggle(); break;
      case "n": if (note) note.focus(); break;
      default: return;
    }
    ev.preventDefault();
  });

  const start = form.querySelector(".acc-rf.is-wrong");
  show(start ? rows.indexOf(start) : 0);
})();
