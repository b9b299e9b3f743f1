/* Keying screen: keyboard movement, shortcuts, validation as you type, place suggestions.
 *
 * Enter / Shift+Enter   next / previous field (in a text area with text, Enter is a new line)
 * Ctrl+S                save          Ctrl+Enter   save and go to the next record
 * Alt+PageUp/PageDown   previous / next record
 * F2                    to the scan viewer; Esc there comes back to the field being keyed
 * Alt+K                 acknowledge every warning shown
 */
(function () {
  "use strict";
  const form = document.getElementById("key-form");
  if (!form) return;
  const viewer = document.querySelector("[data-hotich-viewer]");
  const state = form.querySelector("[data-key-state]");
  const issuesBox = form.querySelector("[data-issues]");
  let dirty = false;
  let lastField = null;
  let timer = null;
  let seq = 0;

  function fields() {
    return Array.from(form.querySelectorAll("[data-field]")).filter((el) => !el.disabled && el.offsetParent !== null);
  }
  function move(from, step) {
    const list = fields();
    const i = list.indexOf(from);
    const to = list[i + step];
    if (to) { to.focus(); if (to.select && to.tagName === "INPUT") to.select(); return true; }
    return false;
  }
  function submit(action) {
    dirty = false;
    const button = form.querySelector('button[name="action"][value="' + action + '"]');
    if (state) state.textContent = form.dataset.tSaving;
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
  }
  function markUnreadable(el) {
    if (el.tagName === "INPUT") el.classList.toggle("unreadable", el.value.indexOf("?") !== -1);
  }

  // ---- validation as you type -----------------------------------------------------------------
  function showIssues(issues) {
    form.querySelectorAll("[data-kf]").forEach((box) => {
      box.classList.remove("has-error", "has-warning");
      const msg = box.querySelector(".kf-msg");
      if (msg) msg.textContent = "";
    });
    const checked = new Set(Array.from(form.querySelectorAll('input[name="ack"]:checked')).map((el) => el.value));
    const errors = [], warnings = [];
    for (const issue of issues) {
      const box = form.querySelector('[data-kf="' + CSS.escape(issue.field) + '"]');
      if (box) {
        if (issue.level === "error") box.classList.remove("has-warning");
        if (!box.classList.contains("has-error")) box.classList.add("has-" + issue.level);
        const msg = box.querySelector(".kf-msg");
        if (msg) msg.textContent += issue.message + " ";
      }
      (issue.level === "error" ? errors : warnings).push(issue);
    }
    if (!issuesBox) return;
    issuesBox.textContent = "";
    function list(title, items, ack) {
      if (!items.length) return;
      const h = document.createElement("h3"); h.textContent = title; issuesBox.appendChild(h);
      const ul = document.createElement("ul");
      for (const issue of items) {
        const li = document.createElement("li");
        if (ack) {
          const label = document.createElement("label");
          const box = document.createElement("input");
          box.type = "checkbox"; box.name = "ack"; box.value = issue.code; box.checked = checked.has(issue.code);
          label.append(box, " " + issue.message); li.appendChild(label);
        } else {
          const a = document.createElement("a"); a.href = "#f-" + issue.field; a.textContent = issue.message; li.appendChild(a);
        }
        ul.appendChild(li);
      }
      issuesBox.appendChild(ul);
    }
    list(issuesBox.dataset.tErrors || "Lỗi", errors, false);
    list(issuesBox.dataset.tWarnings || "Cảnh báo", warnings, true);
  }
  function validate() {
    const mine = ++seq;
    const data = new FormData(form);
    fetch(form.dataset.validateUrl, { method: "POST", body: data, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => { if (body && mine === seq) showIssues(body.issues); })
      .catch(() => {});
  }
  function soon() { clearTimeout(timer); timer = setTimeout(validate, 400); }

  // ---- place suggestions: units valid at the registration date ---------------------------------
  let menu = null, menuFor = null, menuItems = [], menuIndex = -1, placeSeq = 0, placeTimer = null;
  function closeMenu() { if (menu) menu.remove(); menu = null; menuFor = null; menuItems = []; menuIndex = -1; }
  function registrationDate() {
    const el = form.querySelector('[data-field="ngayDangKy"]');
    const m = el && /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(el.value.trim());
    return m ? m[1].padStart(2, "0") + "/" + m[2].padStart(2, "0") + "/" + m[3] : "";
  }
  function suggest(input) {
    const q = input.value.trim();
    if (q.length < 2) { closeMenu(); return; }
    const mine = ++placeSeq;
    const params = new URLSearchParams({ q: q, limit: "8" });
    const date = registrationDate();
    if (date) params.set("date", date);
    fetch(form.dataset.unitsUrl + "?" + params, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : { results: [] }))
      .then((body) => {
        if (mine !== placeSeq || document.activeElement !== input) return;
        closeMenu();
        if (!body.results.length) return;
        menu = document.createElement("ul"); menu.className = "place-menu"; menu.setAttribute("role", "listbox");
        menuFor = input;
        for (const unit of body.results) {
          const li = document.createElement("li"); li.setAttribute("role", "option");
          li.textContent = unit.full_name; li.dataset.value = unit.full_name;
          li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(li); });
          menu.appendChild(li); menuItems.push(li);
        }
        input.parentNode.appendChild(menu);
      })
      .catch(() => {});
  }
  function highlight(i) {
    menuItems.forEach((li, j) => li.setAttribute("aria-selected", String(i === j)));
    menuIndex = i;
  }
  function choose(li) {
    const input = menuFor;
    input.value = li.dataset.value; dirty = true; closeMenu(); soon(); move(input, 1);
  }

  // ---- events -----------------------------------------------------------------------------------
  form.addEventListener("input", (ev) => {
    if (!ev.target.matches("[data-field]")) return;
    dirty = true; markUnreadable(ev.target); soon();
    if (ev.target.hasAttribute("data-place")) {
      // Fast typists send one lookup per pause, not one per keystroke.
      const input = ev.target;
      clearTimeout(placeTimer);
      placeTimer = setTimeout(() => suggest(input), 150);
    }
    if (state) state.textContent = form.dataset.tUnsaved;
  });
  form.addEventListener("change", (ev) => { if (ev.target.matches("[data-field]")) { dirty = true; soon(); } });
  form.addEventListener("focusin", (ev) => { if (ev.target.matches("[data-field]")) lastField = ev.target; });
  form.addEventListener("focusout", (ev) => { if (ev.target === menuFor) setTimeout(closeMenu, 150); });
  form.addEventListener("submit", () => { dirty = false; });

  form.addEventListener("keydown", (ev) => {
    const el = ev.target;
    if (menu && el === menuFor) {
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlight(Math.min(menuIndex + 1, menuItems.length - 1)); return; }
      if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(Math.max(menuIndex - 1, 0)); return; }
      if (ev.key === "Escape") { ev.preventDefault(); closeMenu(); return; }
      if (ev.key === "Enter" && menuIndex >= 0) { ev.preventDefault(); choose(menuItems[menuIndex]); return; }
    }
    if (ev.key === "Enter" && !ev.ctrlKey && !ev.altKey && !ev.metaKey && el.matches("[data-field]")) {
      // A new line in a text area with text; an empty one (Ghi chú, mostly) is passed by.
      if (el.tagName === "TEXTAREA" && !ev.shiftKey && el.value.trim()) return;
      ev.preventDefault();
      closeMenu();
      if (!move(el, ev.shiftKey ? -1 : 1) && !ev.shiftKey) submit("next");
    }
  });

  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && (ev.key === "s" || ev.key === "S")) { ev.preventDefault(); submit("save"); return; }
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); submit("next"); return; }
    if (ev.altKey && (ev.key === "PageUp" || ev.key === "PageDown")) {
      const link = document.querySelector(ev.key === "PageUp" ? "[data-key-prev]" : "[data-key-next]");
      if (link) { ev.preventDefault(); window.location.href = link.href; }
      return;
    }
    if (ev.altKey && (ev.key === "k" || ev.key === "K")) {
      ev.preventDefault();
      form.querySelectorAll('input[name="ack"]').forEach((box) => { box.checked = true; });
      dirty = true;
      return;
    }
    if (ev.key === "F2" && viewer) { ev.preventDefault(); viewer.focus(); return; }
    if (ev.key === "Escape" && viewer && viewer.contains(document.activeElement) && lastField) {
      ev.preventDefault(); lastField.focus();
    }
  });

  window.addEventListener("beforeunload", (ev) => { if (dirty) { ev.preventDefault(); ev.returnValue = ""; } });

  // Start where the work is: the first field with an error, else the first empty field.
  const firstError = form.querySelector(".has-error [data-field]");
  const firstEmpty = fields().find((el) => !el.value);
  const start = firstError || firstEmpty || fields()[0];
  if (start && !document.querySelector('.messages [role="status"].msg-error')) start.focus();
})();
