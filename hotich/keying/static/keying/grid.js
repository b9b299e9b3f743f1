/* Grid keying: one row per record. A row is saved when focus leaves it (or on Ctrl+S);
 * the blank last row creates a record and a new blank row appears below it, carrying over
 * the values that repeat down a register.
 *
 * Enter: the cell to the right (at the end of a row, the next row) · Shift+Enter: back
 * (in a text area with text, Enter is a new line; an empty one is passed by)
 * ArrowUp / ArrowDown in a text cell: same column, row above / below · Ctrl+S: save this row
 */
(function () {
  "use strict";
  const table = document.getElementById("key-grid");
  if (!table) return;
  const body = table.tBodies[0];
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const CARRY = ["quyenSo", "trangSo", "ngayDangKy", "loaiDangKy", "noiDangKy", "noiCap", "nguoiKy", "chucVuNguoiKy", "nguoiThucHien", "loaiViec"];
  const dirty = new Set();

  function cells(row) { return Array.from(row.querySelectorAll("[data-field]")); }
  function values(row) {
    const out = {};
    for (const el of cells(row)) out[el.dataset.field] = el.value;
    return out;
  }
  function isBlank(row) { return !row.dataset.record; }
  function hasContent(row) {
    return cells(row).some((el) => el.value && CARRY.indexOf(el.dataset.field) === -1);
  }
  function setState(row, text, cls) {
    const td = row.querySelector("[data-state]");
    td.textContent = text; td.className = "gstate " + (cls || "");
  }
  function showIssues(row, issues) {
    row.querySelectorAll("td[data-cell]").forEach((td) => { td.classList.remove("has-error", "has-warning"); td.removeAttribute("title"); });
    for (const issue of issues || []) {
      const td = row.querySelector('td[data-cell="' + CSS.escape(issue.field) + '"]');
      if (!td) continue;
      if (!td.classList.contains("has-error")) td.classList.add("has-" + issue.level);
      td.title = (td.title ? td.title + "\n" : "") + issue.message;
    }
  }
  function addBlank(from) {
    const tpl = document.getElementById("grid-blank");
    const row = tpl.content.firstElementChild.cloneNode(true);
    const carried = values(from);
    for (const el of cells(row)) {
      if (CARRY.indexOf(el.dataset.field) !== -1 && carried[el.dataset.field]) el.value = carried[el.dataset.field];
      if (el.dataset.field === "so" && /^\d+$/.test(carried.so || "")) {
        el.value = String(parseInt(carried.so, 10) + 1).padStart(Math.max(2, carried.so.length), "0");
      }
    }
    body.appendChild(row);
    return row;
  }
  function save(row) {
    if (!dirty.has(row)) return Promise.resolve();
    if (isBlank(row) && !hasContent(row)) return Promise.resolve();
    dirty.delete(row);
    setState(row, table.dataset.tSaving, "saving");
    const payload = { values: values(row) };
    if (row.dataset.record) {
      payload.record = row.dataset.record;
      payload.version = row.dataset.version;
      payload.base = JSON.parse(row.dataset.base || "{}");
    }
    return fetch(table.dataset.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload),
    }).then((r) => r.json().then((data) => ({ ok: r.ok, status: r.status, data: data })))
      .then(({ ok, data }) => {
        if (!ok) {
          dirty.add(row);
          setState(row, data.message || data.error || table.dataset.tFailed, "failed");
          row.classList.add("conflict-row");
          return;
        }
        const wasBlank = isBlank(row);
        row.dataset.record = data.record;
        row.dataset.version = data.version;
        row.dataset.base = JSON.stringify(data.data);
        row.classList.remove("conflict-row");
        setState(row, data.status_label, "status-" + data.status);
        showIssues(row, data.issues);
        const p = data.progress;
        const text = document.querySelector("[data-progress-text]");
        if (text) text.textContent = table.dataset.tDone.replace("%(done)s", p.submitted).replace("%(declared)s", p.declared == null ? "?" : p.declared);
        const bar = document.querySelector("[data-progress-bar]");
        if (bar) bar.style.width = p.percent + "%";
        if (wasBlank && row === body.lastElementChild) addBlank(row);
      })
      .catch(() => { dirty.add(row); setState(row, table.dataset.tFailed, "failed"); });
  }
  function focusCell(row, index) {
    if (!row) return false;
    const list = cells(row);
    const el = list[Math.max(0, Math.min(index, list.length - 1))];
    if (el) { el.focus(); if (el.select && el.tagName === "INPUT") el.select(); }
    return !!el;
  }

  table.addEventListener("input", (ev) => { const row = ev.target.closest("[data-row]"); if (row) { dirty.add(row); ev.target.classList.toggle("unreadable", (ev.target.value || "").indexOf("?") !== -1); } });
  table.addEventListener("change", (ev) => { const row = ev.target.closest("[data-row]"); if (row) dirty.add(row); });
  table.addEventListener("focusout", (ev) => {
    const row = ev.target.closest("[data-row]");
    if (!row) return;
    const to = ev.relatedTarget && ev.relatedTarget.closest ? ev.relatedTarget.closest("[data-row]") : null;
    if (to !== row) save(row);
  });
  table.addEventListener("keydown", (ev) => {
    const el = ev.target;
    const row = el.closest("[data-row]");
    if (!row || !el.matches("[data-field]")) return;
    const list = cells(row);
    const i = list.indexOf(el);
    if ((ev.ctrlKey || ev.metaKey) && (ev.key === "s" || ev.key === "S")) { ev.preventDefault(); dirty.add(row); save(row); return; }
    if (ev.key === "Enter" && (el.tagName !== "TEXTAREA" || !el.value.trim())) {
      ev.preventDefault();
      if (ev.shiftKey) { if (i > 0) focusCell(row, i - 1); else focusCell(row.previousElementSibling, 1e9); return; }
      if (i < list.length - 1) { focusCell(row, i + 1); return; }
      const next = row.nextElementSibling;
      if (next) { focusCell(next, 0); return; }
      save(row).then(() => focusCell(row.nextElementSibling, 0));
      return;
    }
    if (el.tagName === "INPUT" && (ev.key === "ArrowDown" || ev.key === "ArrowUp") && !el.list) {
      ev.preventDefault();
      focusCell(ev.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling, i);
    }
  });
  window.addEventListener("beforeunload", (ev) => { if (dirty.size) { ev.preventDefault(); ev.returnValue = ""; } });
  const firstBlank = body.lastElementChild;
  if (firstBlank) focusCell(firstBlank, 0);
})();
