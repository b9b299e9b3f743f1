/* Arbitration screen: choose a value for each differing field by keyboard.
 *
 * j / ↓ / Enter   next field        k / ↑   previous field
 * a / b           take copy A / copy B for the current field, then the next field
 * t               type the right value; Enter leaves the input (the next field)
 * Ctrl+Enter      record the decision (refused while a field has no choice)
 * F2              to the scan viewer; Esc there comes back
 * Alt+PageDown    skip to the next record in the queue
 */
(function () {
  "use strict";
  const form = document.getElementById("arbitration-form");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll("[data-ar]"));
  const viewer = document.querySelector("[data-hotich-viewer]");
  const status = form.querySelector("[data-arbitration-status]");
  let current = 0;

  function show(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((row, j) => row.classList.toggle("is-current", j === current));
    rows[current].focus();
  }
  function choose(value) {
    const radio = rows[current].querySelector('[data-choice="' + value + '"]');
    if (!radio) return;
    radio.checked = true;
    if (value === "typed") {
      const input = rows[current].querySelector("[data-typed]");
      input.focus();
      input.select();
    } else {
      show(current + 1);
    }
  }
  function missing() {
    return rows.filter((row) => !row.querySelector("input[type=radio]:checked"));
  }
  function submit() {
    const left = missing();
    if (left.length) {
      if (status) status.textContent = form.dataset.tMissing;
      show(rows.indexOf(left[0]));
      return;
    }
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  form.addEventListener("input", (ev) => {
    if (ev.target.matches("[data-typed]")) {
      const radio = ev.target.closest("[data-ar]").querySelector('[data-choice="typed"]');
      if (radio) radio.checked = true;
    }
  });
  form.addEventListener("focusin", (ev) => {
    const row = ev.target.closest && ev.target.closest("[data-ar]");
    if (row) {
      current = rows.indexOf(row);
      rows.forEach((r, j) => r.classList.toggle("is-current", j === current));
    }
  });

  document.addEventListener("keydown", (ev) => {
    const el = document.activeElement;
    if (viewer && viewer.contains(el)) {
      if (ev.key === "Escape") { ev.preventDefault(); show(current); }
      return;
    }
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); submit(); return; }
    if (ev.altKey && ev.key === "PageDown") {
      const skip = document.querySelector("[data-arbitration-skip]");
      if (skip) { ev.preventDefault(); window.location.href = skip.href; }
      return;
    }
    if (ev.key === "F2" && viewer) { ev.preventDefault(); viewer.focus(); return; }
    if (el && el.matches && el.matches("[data-typed]")) {
      if (ev.key === "Enter" || ev.key === "Escape") { ev.preventDefault(); show(current + (ev.key === "Enter" ? 1 : 0)); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const keys = { j: 1, ArrowDown: 1, Enter: 1, k: -1, ArrowUp: -1 };
    if (ev.key in keys) { ev.preventDefault(); show(current + keys[ev.key]); return; }
    if (ev.key === "a" || ev.key === "b") { ev.preventDefault(); choose(ev.key); return; }
    if (ev.key === "t") { ev.preventDefault(); choose("typed"); }
  });
  if (rows.length) show(0);
})();
