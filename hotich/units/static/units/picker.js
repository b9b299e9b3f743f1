/* Hộ tịch số — type-ahead picker for administrative units. No framework, no build step.
 *
 * Markup (rendered by hotich.units.widgets.UnitPickerWidget):
 *   <div data-unit-picker data-url="/don-vi-hanh-chinh/tim/" [data-era] [data-level] [data-submit-on-choose]>
 *     <input type="hidden" data-unit-picker-value>   the chosen unit's id
 *     <input type="text" role="combobox" data-unit-picker-input aria-controls="LIST">
 *     <ul id="LIST" role="listbox" class="picker-list" hidden></ul>
 *     <span class="picker-status" role="status"></span>
 *   </div>
 * Keys: Down/Up move, Enter chooses, Esc closes. Editing the text clears the id.
 * Choosing fires "unit-picker:choose" (detail: the unit) on the root and "change" on the hidden input.
 */
(function () {
  "use strict";
  const DELAY_MS = 200;
  const MIN_CHARS = 2;

  function init(root) {
    if (root.hasAttribute("data-unit-picker-ready")) return;
    root.setAttribute("data-unit-picker-ready", "");
    const input = root.querySelector("[data-unit-picker-input]");
    const hidden = root.querySelector("[data-unit-picker-value]");
    const list = root.querySelector("[role=listbox]");
    const status = root.querySelector("[role=status]");
    if (!input || !hidden || !list) return;
    const text = function (name, fallback) { return root.getAttribute("data-text-" + name) || fallback; };
    let items = [];
    let active = -1;
    let timer = null;
    let controller = null;
    let seq = 0;

    function say(message) { if (status) status.textContent = message; }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function setActive(index) {
      const options = list.querySelectorAll("[data-index]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      const current = options[active];
      input.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    }

    function message(content) {
      list.replaceChildren();
      const li = document.createElement("li");
      li.className = "empty";
      li.setAttribute("role", "option");
      li.setAttribute("aria-disabled", "true");
      li.textContent = content;
      list.appendChild(li);
      open();
    }

    function render(results) {
      items = results;
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!results.length) {
        message(text("empty", "—"));
        say(text("empty", ""));
        return;
      }
      list.replaceChildren();
      results.forEach(function (unit, i) {
        const li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-index", String(i));
        li.appendChild(document.createTextNode(unit.full_name + " "));
        const era = document.createElement("span");
        era.className = "era";
        era.textContent = unit.level_label + " · " + unit.era_label;
        li.appendChild(era);
        list.appendChild(li);
      });
      open();
      say(results.length + " " + text("count", ""));
    }

    function search() {
      const q = input.value.trim();
      if (controller) controller.abort();
      if (q.length < MIN_CHARS) { close(); items = []; return; }
      const params = new URLSearchParams({ q: q, limit: "20" });
      ["era", "level"].forEach(function (name) {
        const value = root.getAttribute("data-" + name);
        if (value) params.set(name, value);
      });
      const mine = ++seq;
      controller = window.AbortController ? new AbortController() : null;
      say(text("loading", ""));
      fetch(root.getAttribute("data-url") + "?" + params.toString(), {
        headers: { "Accept": "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (data) { if (mine === seq) render(data.results || []); })
        .catch(function (err) {
          if (err && err.name === "AbortError") return;
          if (mine === seq) { items = []; message(text("error", "!")); }
        });
    }

    function choose(index) {
      const unit = items[index];
      if (!unit) return;
      hidden.value = String(unit.id);
      input.value = unit.full_name;
      close();
      say(unit.full_name);
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
      root.dispatchEvent(new CustomEvent("unit-picker:choose", { bubbles: true, detail: unit }));
      if (root.hasAttribute("data-submit-on-choose") && input.form) {
        if (input.form.requestSubmit) input.form.requestSubmit(); else input.form.submit();
      }
    }

    input.addEventListener("input", function () {
      // The text no longer names the chosen unit: drop the id (the server resolves typed names).
      if (hidden.value) {
        hidden.value = "";
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });

    input.addEventListener("keydown", function (ev) {
      const isOpen = !list.hidden;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (!isOpen) {
          if (items.length) { open(); setActive(ev.key === "ArrowDown" ? 0 : items.length - 1); }
          else search();
          return;
        }
        setActive(active + (ev.key === "ArrowDown" ? 1 : -1));
      } else if (ev.key === "Enter") {
        if (isOpen && active >= 0) { ev.preventDefault(); choose(active); }
      } else if (ev.key === "Escape") {
        if (isOpen) { ev.preventDefault(); ev.stopPropagation(); close(); }
      } else if (ev.key === "Tab") {
        close();
      }
    });

    list.addEventListener("mousedown", function (ev) {
      // Keep the focus in the text box so that blur does not close the list before the click.
      ev.preventDefault();
      const li = ev.target.closest("[data-index]");
      if (li) choose(Number(li.getAttribute("data-index")));
    });

    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function initAll(scope) {
    (scope || document).querySelectorAll("[data-unit-picker]").forEach(init);
  }

  window.hotichUnitPicker = { init: initAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  } else {
    initAll(document);
  }
})();
