/* Hộ tịch số — scanned-page viewer (scans/_viewer.html). Vanilla JS, no build step.
 *
 * Every [data-hotich-viewer] element on the page becomes a viewer. For the embedding screen:
 *   root.hotichViewer.goTo(index) / goToId(pageId) / next() / prev()  -> the page shown, or null
 *   root.hotichViewer.current() -> page object from the JSON (null when there are no pages)
 *   root.hotichViewer.index()   -> position of the current page
 *   "viewer:pagechange" CustomEvent (bubbles; detail = page object) whenever a page is shown,
 *   including the first one.
 * Zoom is kept relative to "fit width", so the same setting suits pages of different pixel sizes
 * and viewer widths; with rotation, brightness and contrast it is stored in localStorage under
 * the viewer's data-remember purpose.
 */
(function () {
  "use strict";
  if (window.HotichViewer) return; // the include may appear (and load this file) twice

  const ZOOM_STEP = 1.25;
  const ZOOM_MIN = 0.2; // of fit width
  const SCALE_MAX = 8; // of the image's own pixels
  const FILTER = { min: 30, max: 250, step: 10 };
  const PAD = 10;
  const DEFAULTS = { zoom: 1, rotation: 0, brightness: 100, contrast: 100 };
  const NAV_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End"];
  const globalViewers = [];

  function clamp(value, lo, hi) { return Math.min(hi, Math.max(lo, value)); }

  function readSettings(key) {
    const s = Object.assign({}, DEFAULTS);
    try {
      const saved = JSON.parse(localStorage.getItem(key) || "{}");
      for (const name of Object.keys(DEFAULTS)) {
        if (typeof saved[name] === "number" && isFinite(saved[name])) s[name] = saved[name];
      }
    } catch (e) { /* private mode or corrupt value: defaults */ }
    s.rotation = ((Math.round(s.rotation / 90) * 90) % 360 + 360) % 360;
    s.brightness = clamp(s.brightness, FILTER.min, FILTER.max);
    s.contrast = clamp(s.contrast, FILTER.min, FILTER.max);
    s.zoom = clamp(s.zoom, ZOOM_MIN, 100);
    return s;
  }

  function writeSettings(key, s) {
    try { localStorage.setItem(key, JSON.stringify(s)); } catch (e) { /* quota or disabled */ }
  }

  function isTextField(el) {
    if (!el) return false;
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && !/^(range|button|checkbox|radio|submit|reset)$/.test(el.type);
  }

  class Viewer {
    constructor(root) {
      this.root = root;
      this.t = root.dataset;
      const q = (name) => root.querySelector('[data-hv="' + name + '"]');
      this.el = {
        stage: q("stage"), canvas: q("canvas"), page: q("page"), img: q("img"), note: q("note"),
        thumbs: q("thumbs"), pos: q("pos"), label: q("label"), status: q("status"),
        records: q("records"), zoom: q("zoom"), brightness: q("brightness"), contrast: q("contrast"),
        brightnessValue: q("brightness-value"), contrastValue: q("contrast-value"), adjust: q("adjust"),
      };
      const data = root.querySelector('script[type="application/json"]');
      try { this.pages = JSON.parse(data ? data.textContent : "[]"); } catch (e) { this.pages = []; }
      if (!Array.isArray(this.pages)) this.pages = [];
      this.key = "hotich.viewer." + (root.dataset.remember || "scans");
      this.s = readSettings(this.key);
      this.index = -1;
      this.dims = { w: 0, h: 0 };
      this.box = null;
      this.token = 0;
      this.cache = new Map(); // url -> Image, so prefetched pages are not collected before use
      this.thumbItems = [];
      this.noteTimer = 0;
      this.errorText = "";

      this.buildThumbs();
      this.bind();
      this.applyFilters();
      root.hotichViewer = {
        goTo: (i) => this.goTo(i),
        goToId: (id) => this.goTo(this.pages.findIndex((p) => String(p.id) === String(id))),
        next: () => this.step(1),
        prev: () => this.step(-1),
        current: () => this.pages[this.index] || null,
        index: () => this.index,
      };
      if (!this.pages.length) {
        this.root.classList.add("hv-empty");
        this.showNote(this.t.tEmpty, 0);
        this.root.querySelectorAll("[data-hv-action]").forEach((b) => { b.disabled = true; });
        return;
      }
      const fromHash = this.indexFromHash();
      const start = this.pages.findIndex((p) => String(p.id) === root.dataset.start);
      this.goTo(fromHash >= 0 ? fromHash : Math.max(start, 0));
    }

    /* ---- pages ---- */

    indexFromHash() {
      const m = /^#trang-(\d+)$/.exec(location.hash);
      return m ? this.pages.findIndex((p) => String(p.id) === m[1]) : -1;
    }

    step(delta) {
      if (!this.pages.length) return null;
      const target = this.index + delta;
      if (target < 0 || target >= this.pages.length) {
        this.showNote(delta < 0 ? this.t.tFirst : this.t.tLast, 1200);
        return null;
      }
      return this.goTo(target);
    }

    goTo(index) {
      index = Number(index);
      if (!Number.isInteger(index) || index < 0 || index >= this.pages.length) return null;
      if (index === this.index) return this.pages[index];
      const stage = this.el.stage;
      // Keep the horizontal position (a column of the register) and start each page at its top.
      const fx = this.box ? this.fraction(stage.clientWidth / 2, 0).fx : 0.5;
      this.index = index;
      const page = this.pages[index];
      this.dims = { w: Number(page.width) || 0, h: Number(page.height) || 0 };
      this.renderInfo(page);
      this.markThumb(index);
      this.load(page, fx);
      this.root.dispatchEvent(new CustomEvent("viewer:pagechange", { detail: page, bubbles: true }));
      return page;
    }

    load(page, fx) {
      const token = ++this.token;
      const img = this.el.img;
      const probe = this.image(page.image);
      let placed = false;
      const place = () => {
        this.layout();
        this.scrollToFraction(fx, 0, this.el.stage.clientWidth / 2, PAD);
        placed = true;
      };
      const ready = () => {
        if (token !== this.token) return;
        const w = probe.naturalWidth;
        const h = probe.naturalHeight;
        // The JSON size gave the box its shape early; the image's own pixels define 100 %.
        const sameShape = placed && Math.abs(w / h - this.dims.w / this.dims.h) < 0.01;
        if (w) this.dims = { w, h };
        img.src = page.image;
        img.alt = this.t.tAlt + " – " + page.label;
        this.root.classList.remove("hv-loading", "hv-failed");
        this.hideNote();
        if (sameShape) this.layout(); // keeps what the user scrolled to while it loaded
        else place();
        this.prefetch();
      };
      const failed = () => {
        this.cache.delete(page.image); // try again on the next visit
        if (token !== this.token) return;
        this.root.classList.remove("hv-loading");
        this.root.classList.add("hv-failed");
        img.removeAttribute("src");
        img.alt = "";
        this.errorText = this.t.tError + " (" + page.label + ")";
        this.showNote(this.errorText, 0);
      };
      if (probe.complete && probe.naturalWidth) { ready(); return; }
      this.root.classList.add("hv-loading");
      this.root.classList.remove("hv-failed");
      this.showNote(this.t.tLoading, 0);
      if (this.dims.w) place(); // the box takes its final size before the pixels arrive
      probe.onload = ready;
      probe.onerror = failed;
      if (probe.complete && probe.src) failed(); // a cached failure fires no event
    }

    image(url) {
      let im = this.cache.get(url);
      if (!im) {
        im = new Image();
        im.decoding = "async";
        im.src = url;
        this.cache.set(url, im);
        if (this.cache.size > 6) this.cache.delete(this.cache.keys().next().value);
      }
      return im;
    }

    prefetch() {
      for (const i of [this.index + 1, this.index - 1]) {
        if (i >= 0 && i < this.pages.length) this.image(this.pages[i].image);
      }
    }

    renderInfo(page) {
      const el = this.el;
      el.pos.textContent = (this.index + 1) + " / " + this.pages.length;
      el.label.textContent = page.label || "";
      const status = page.status || "ok";
      el.status.hidden = status === "ok";
      el.status.className = "hv-status s-" + status;
      el.status.textContent = this.statusText(status);
      this.root.dataset.status = status;
      const records = Array.isArray(page.records) ? page.records : [];
      el.records.textContent = records.length ? this.t.tRecords + " " + records.join(", ") : this.t.tNoRecords;
      el.records.title = el.records.textContent;
      el.records.classList.toggle("hv-none", !records.length);
      this.root.querySelector('[data-hv-action="prev"]').disabled = this.index <= 0;
      this.root.querySelector('[data-hv-action="next"]').disabled = this.index >= this.pages.length - 1;
    }

    statusText(status) {
      const key = "tStatus" + status.charAt(0).toUpperCase() + status.slice(1);
      return this.t[key] || status;
    }

    /* ---- thumbnails: a list of buttons with one tab stop; arrows move along it ---- */

    buildThumbs() {
      const list = this.el.thumbs;
      const frag = document.createDocumentFragment();
      this.pages.forEach((page, i) => {
        const li = document.createElement("li");
        const btn = document.createElement("button");
        btn.type = "button";
        btn.className = "hv-thumb s-" + (page.status || "ok");
        btn.tabIndex = -1;
        btn.dataset.index = String(i);
        const status = page.status && page.status !== "ok" ? " – " + this.statusText(page.status) : "";
        btn.setAttribute("aria-label", (page.label || String(i + 1)) + status);
        btn.title = btn.getAttribute("aria-label");
        const img = document.createElement("img");
        img.loading = "lazy";
        img.decoding = "async";
        img.alt = "";
        img.draggable = false;
        const h = 72;
        const ratio = page.width && page.height ? page.width / page.height : 0.7;
        img.width = Math.round(clamp(h * ratio, 36, 130));
        img.height = h;
        img.src = page.thumb;
        const cap = document.createElement("span");
        cap.textContent = page.label || String(i + 1);
        btn.append(img, cap);
        li.append(btn);
        frag.append(li);
        this.thumbItems.push(btn);
      });
      list.append(frag);
    }

    markThumb(index) {
      this.thumbItems.forEach((btn, i) => {
        if (i === index) {
          btn.setAttribute("aria-current", "page");
          btn.tabIndex = 0;
        } else {
          btn.removeAttribute("aria-current");
          btn.tabIndex = -1;
        }
      });
      const focusInStrip = this.el.thumbs.contains(document.activeElement);
      if (focusInStrip && this.thumbItems[index]) this.thumbItems[index].focus({ preventScroll: true });
      this.revealThumb(index);
    }

    revealThumb(index) {
      const btn = this.thumbItems[index];
      if (!btn) return;
      // Not scrollIntoView: that would also scroll the whole document to the viewer.
      const list = this.el.thumbs;
      const item = btn.parentElement;
      const left = item.offsetLeft;
      const right = left + item.offsetWidth;
      if (left < list.scrollLeft || right > list.scrollLeft + list.clientWidth) {
        list.scrollLeft = left - (list.clientWidth - item.offsetWidth) / 2;
      }
    }

    thumbKey(ev) {
      const current = this.thumbItems.indexOf(ev.target);
      if (current < 0) return false;
      let target = current;
      if (ev.key === "ArrowRight" || ev.key === "ArrowDown") target = current + 1;
      else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") target = current - 1;
      else if (ev.key === "Home") target = 0;
      else if (ev.key === "End") target = this.thumbItems.length - 1;
      else return false;
      target = clamp(target, 0, this.thumbItems.length - 1);
      this.thumbItems.forEach((b, i) => { b.tabIndex = i === target ? 0 : -1; });
      this.thumbItems[target].focus({ preventScroll: true });
      this.revealThumb(target);
      return true;
    }

    /* ---- geometry: zoom is relative to fit width; the box is the rotated page ---- */

    fitScale() {
      const sideways = this.s.rotation % 180 !== 0;
      const rw = (sideways ? this.dims.h : this.dims.w) || 1;
      return Math.max(this.el.stage.clientWidth - 2 * PAD, 40) / rw;
    }

    layout() {
      if (!this.dims.w || !this.dims.h) return;
      const stage = this.el.stage;
      const sideways = this.s.rotation % 180 !== 0;
      const fit = this.fitScale();
      this.s.zoom = clamp(this.s.zoom, ZOOM_MIN, Math.max(SCALE_MAX / fit, 1));
      const scale = fit * this.s.zoom;
      const w = this.dims.w * scale;
      const h = this.dims.h * scale;
      const bw = sideways ? h : w;
      const bh = sideways ? w : h;
      // Size the canvas to the page first so the scrollbars settle, then let it fill the stage
      // (a horizontal scrollbar takes height; centring must use what is left).
      const canvas = this.el.canvas.style;
      Object.assign(canvas, { width: bw + 2 * PAD + "px", height: bh + 2 * PAD + "px" });
      const cw = Math.max(stage.clientWidth, bw + 2 * PAD);
      const ch = Math.max(stage.clientHeight, bh + 2 * PAD);
      Object.assign(canvas, { width: cw + "px", height: ch + "px" });
      const left = (cw - bw) / 2;
      const top = (ch - bh) / 2;
      Object.assign(this.el.page.style, { left: left + "px", top: top + "px", width: bw + "px", height: bh + "px" });
      Object.assign(this.el.img.style, {
        width: w + "px",
        height: h + "px",
        transform: "translate(-50%, -50%) rotate(" + this.s.rotation + "deg)",
      });
      this.box = { left, top, w: bw, h: bh };
      this.el.zoom.textContent = Math.round(scale * 100) + "%";
      this.root.dataset.rotation = String(this.s.rotation);
      this.applyFilters();
    }

    /* Where stage point (ax, ay) falls on the page, as fractions of the box. */
    fraction(ax, ay) {
      const b = this.box;
      if (!b || !b.w) return { fx: 0.5, fy: 0.5 };
      const st = this.el.stage;
      return { fx: (st.scrollLeft + ax - b.left) / b.w, fy: (st.scrollTop + ay - b.top) / b.h };
    }

    scrollToFraction(fx, fy, ax, ay) {
      const b = this.box;
      if (!b) return;
      this.el.stage.scrollLeft = b.left + fx * b.w - ax;
      this.el.stage.scrollTop = b.top + fy * b.h - ay;
    }

    center() {
      return { x: this.el.stage.clientWidth / 2, y: this.el.stage.clientHeight / 2 };
    }

    setZoom(zoom, at) {
      if (!this.dims.w) return;
      const a = at || this.center();
      const f = this.fraction(a.x, a.y);
      this.s.zoom = zoom;
      this.layout();
      this.scrollToFraction(f.fx, f.fy, a.x, a.y);
      this.save();
    }

    zoomBy(factor, at) { this.setZoom(this.s.zoom * factor, at); }

    actualSize() { if (this.dims.w) this.setZoom(1 / this.fitScale()); }

    rotate(delta) {
      const c = this.center();
      const f = this.fraction(c.x, c.y);
      this.s.rotation = (((this.s.rotation + delta) % 360) + 360) % 360;
      this.layout();
      // The point under the centre stays under it: turning right maps (x, y) to (1 - y, x).
      const g = delta > 0 ? { fx: 1 - f.fy, fy: f.fx } : { fx: f.fy, fy: 1 - f.fx };
      this.scrollToFraction(g.fx, g.fy, c.x, c.y);
      this.save();
    }

    applyFilters() {
      this.el.img.style.filter = "brightness(" + this.s.brightness + "%) contrast(" + this.s.contrast + "%)";
      for (const name of ["brightness", "contrast"]) {
        this.el[name].value = String(this.s[name]);
        this.el[name + "Value"].textContent = this.s[name] + "%";
      }
      // Settings are remembered across days: show when the image is not as scanned.
      const changed = this.s.brightness !== DEFAULTS.brightness || this.s.contrast !== DEFAULTS.contrast;
      this.el.adjust.classList.toggle("hv-on", changed);
    }

    adjust(name, delta) {
      this.s[name] = clamp(this.s[name] + delta, FILTER.min, FILTER.max);
      this.applyFilters();
      this.save();
    }

    resetFilters() {
      this.s.brightness = DEFAULTS.brightness;
      this.s.contrast = DEFAULTS.contrast;
      this.applyFilters();
      this.save();
    }

    save() { writeSettings(this.key, this.s); }

    pan(dx, dy) {
      const st = this.el.stage;
      const canX = st.scrollWidth > st.clientWidth;
      const canY = st.scrollHeight > st.clientHeight;
      if ((dx && !canX) || (dy && !canY)) return false;
      st.scrollBy({ left: dx, top: dy });
      return true;
    }

    /* ---- notes over the stage (loading, errors, first/last page) ---- */

    showNote(text, ms) {
      const note = this.el.note;
      note.textContent = text || "";
      note.hidden = !text;
      clearTimeout(this.noteTimer);
      if (ms) this.noteTimer = setTimeout(() => this.hideNote(), ms);
    }

    hideNote() {
      if (this.root.classList.contains("hv-failed")) this.showNote(this.errorText, 0);
      else this.el.note.hidden = true;
    }

    /* ---- events ---- */

    bind() {
      const root = this.root;
      const stage = this.el.stage;

      root.addEventListener("click", (ev) => {
        const thumb = ev.target.closest(".hv-thumb");
        if (thumb && root.contains(thumb)) { this.goTo(Number(thumb.dataset.index)); return; }
        const btn = ev.target.closest("[data-hv-action]");
        if (!btn || !root.contains(btn)) return;
        const actions = {
          prev: () => this.step(-1),
          next: () => this.step(1),
          "zoom-in": () => this.zoomBy(ZOOM_STEP),
          "zoom-out": () => this.zoomBy(1 / ZOOM_STEP),
          fit: () => this.setZoom(1),
          actual: () => this.actualSize(),
          "rotate-left": () => this.rotate(-90),
          "rotate-right": () => this.rotate(90),
          reset: () => this.resetFilters(),
        };
        const run = actions[btn.dataset.hvAction];
        if (run) run();
      });

      for (const name of ["brightness", "contrast"]) {
        this.el[name].addEventListener("input", (ev) => {
          this.s[name] = clamp(Number(ev.target.value), FILTER.min, FILTER.max);
          this.applyFilters();
          this.save();
        });
      }

      // The two small panels (image adjustments, shortcut help): one open at a time, Esc or a
      // click elsewhere closes them.
      const pops = Array.from(root.querySelectorAll(".hv-pop"));
      pops.forEach((pop) => pop.addEventListener("toggle", () => {
        if (pop.open) pops.forEach((other) => { if (other !== pop) other.open = false; });
      }));
      document.addEventListener("pointerdown", (ev) => {
        pops.forEach((pop) => { if (pop.open && !pop.contains(ev.target)) pop.open = false; });
      });
      this.closePops = () => {
        const open = pops.find((pop) => pop.open);
        if (!open) return false;
        open.open = false;
        open.querySelector("summary").focus({ preventScroll: true });
        return true;
      };

      root.addEventListener("keydown", (ev) => this.onKey(ev));
      if (root.hasAttribute("data-global-shortcuts")) globalViewers.push(this);

      stage.addEventListener("wheel", (ev) => {
        const focused = root.contains(document.activeElement);
        if (!(ev.ctrlKey || ev.metaKey || (focused && !ev.shiftKey))) return; // let the page scroll
        ev.preventDefault();
        const unit = ev.deltaMode === 1 ? 33 : ev.deltaMode === 2 ? 400 : 1;
        const factor = clamp(Math.exp((-ev.deltaY * unit) / 400), 1 / 1.5, 1.5);
        const r = stage.getBoundingClientRect();
        this.zoomBy(factor, { x: ev.clientX - r.left, y: ev.clientY - r.top });
      }, { passive: false });

      let drag = null;
      stage.addEventListener("pointerdown", (ev) => {
        if (ev.button !== 0 || ev.pointerType === "touch") return; // touch pans natively
        const r = stage.getBoundingClientRect();
        if (ev.clientX - r.left >= stage.clientWidth || ev.clientY - r.top >= stage.clientHeight) return; // scrollbar
        ev.preventDefault();
        root.focus({ preventScroll: true });
        drag = { id: ev.pointerId, x: ev.clientX, y: ev.clientY, left: stage.scrollLeft, top: stage.scrollTop };
        stage.setPointerCapture(ev.pointerId);
        root.classList.add("hv-dragging");
      });
      stage.addEventListener("pointermove", (ev) => {
        if (!drag || ev.pointerId !== drag.id) return;
        stage.scrollLeft = drag.left - (ev.clientX - drag.x);
        stage.scrollTop = drag.top - (ev.clientY - drag.y);
      });
      const endDrag = (ev) => {
        if (!drag || ev.pointerId !== drag.id) return;
        drag = null;
        root.classList.remove("hv-dragging");
      };
      stage.addEventListener("pointerup", endDrag);
      stage.addEventListener("pointercancel", endDrag);
      stage.addEventListener("dblclick", (ev) => {
        const r = stage.getBoundingClientRect();
        const at = { x: ev.clientX - r.left, y: ev.clientY - r.top };
        this.setZoom(Math.abs(this.s.zoom - 1) < 0.01 ? 2 : 1, at);
      });

      if (window.ResizeObserver) {
        let last = "";
        new ResizeObserver(() => {
          const size = stage.clientWidth + "x" + stage.clientHeight;
          if (size === last) return;
          last = size;
          const c = this.center();
          const f = this.fraction(c.x, c.y);
          this.layout();
          this.scrollToFraction(f.fx, f.fy, c.x, c.y);
        }).observe(stage);
      }
      window.addEventListener("hashchange", () => {
        const i = this.indexFromHash();
        if (i >= 0) this.goTo(i);
      });
    }

    onKey(ev) {
      const target = ev.target;
      const key = ev.key;
      if (key === "Escape" && this.closePops()) { ev.preventDefault(); return; }
      if (isTextField(target)) return;
      if (ev.altKey && !ev.ctrlKey && !ev.metaKey && (key === "PageDown" || key === "PageUp")) {
        ev.preventDefault();
        this.step(key === "PageDown" ? 1 : -1);
        return;
      }
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return; // browser and OS shortcuts stay theirs
      if (this.el.thumbs.contains(target) && this.thumbKey(ev)) { ev.preventDefault(); return; }
      if (target.type === "range" && NAV_KEYS.includes(key)) return;
      if (key === "Enter" || (key === " " && target !== this.root && target !== this.el.stage)) return;
      const stage = this.el.stage;
      const stepX = stage.clientWidth * 0.15;
      const stepY = stage.clientHeight * 0.15;
      let handled = true;
      switch (key) {
        case "PageDown": case "]": this.step(1); break;
        case "PageUp": case "[": this.step(-1); break;
        case "Home": this.goTo(0); break;
        case "End": this.goTo(this.pages.length - 1); break;
        case "+": case "=": this.zoomBy(ZOOM_STEP); break;
        case "-": case "_": this.zoomBy(1 / ZOOM_STEP); break;
        case "0": this.setZoom(1); break;
        case "1": this.actualSize(); break;
        case "ArrowLeft": handled = this.pan(-stepX, 0); break;
        case "ArrowRight": handled = this.pan(stepX, 0); break;
        case "ArrowUp": handled = this.pan(0, -stepY); break;
        case "ArrowDown": handled = this.pan(0, stepY); break;
        case " ": handled = this.pan(0, (ev.shiftKey ? -0.85 : 0.85) * stage.clientHeight); break;
        default:
          switch (key.toLowerCase()) {
            case "r": this.rotate(ev.shiftKey ? -90 : 90); break;
            case "b": this.adjust("brightness", ev.shiftKey ? -FILTER.step : FILTER.step); break;
            case "c": this.adjust("contrast", ev.shiftKey ? -FILTER.step : FILTER.step); break;
            case "x": this.resetFilters(); break;
            case "?": // this viewer's keys rather than the site-wide list
              this.root.querySelector(".hv-help").open = true;
              ev.stopPropagation();
              break;
            default: handled = false;
          }
      }
      if (handled) ev.preventDefault();
    }
  }

  /* Alt+PageUp/PageDown from anywhere, for viewers that opt in; the focused viewer wins. */
  document.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented || !ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.key !== "PageDown" && ev.key !== "PageUp") return;
    if (!globalViewers.length) return;
    ev.preventDefault();
    for (const v of globalViewers) v.step(ev.key === "PageDown" ? 1 : -1);
  });

  function init(root) {
    if (root.hotichViewer) return root.hotichViewer;
    new Viewer(root);
    return root.hotichViewer;
  }

  window.HotichViewer = { init };
  function initAll() { document.querySelectorAll("[data-hotich-viewer]").forEach(init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
