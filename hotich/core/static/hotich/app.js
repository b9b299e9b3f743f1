/* Hộ tịch số — small keyboard helpers shared by every page. No framework, no build step. */
(function () {
  "use strict";
  let pendingG = false;
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(document.activeElement)) return;
    if (ev.key === "/") {
      const target = document.querySelector("[data-search-focus]") || document.querySelector("main input[type=search], main input[type=text]");
      if (target) { ev.preventDefault(); target.focus(); target.select && target.select(); }
    } else if (ev.key === "?") {
      const dlg = document.getElementById("shortcuts");
      if (dlg && dlg.showModal) dlg.showModal();
    } else if (ev.key === "g") {
      pendingG = true; setTimeout(function () { pendingG = false; }, 1200); return;
    } else if (pendingG && ev.key === "h") {
      location.href = "/";
    } else if (pendingG && ev.key === "s") {
      location.href = "/so/";
    } else if (ev.key === "n") {
      const create = document.querySelector("[data-shortcut-new]");
      if (create) location.href = create.getAttribute("href");
    }
    pendingG = false;
  });

  /* Progress of background jobs: any element with data-job-url polls until the job ends. */
  function pollJob(el) {
    const url = el.getAttribute("data-job-url");
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        const bar = el.querySelector(".progress > span");
        const text = el.querySelector(".job-text");
        if (bar) bar.style.width = job.percent + "%";
        if (text) text.textContent = job.label;
        if (job.status === "queued" || job.status === "running") {
          setTimeout(function () { pollJob(el); }, 700);
        } else if (el.hasAttribute("data-reload-on-done")) {
          location.reload();
        }
      })
      .catch(function () { setTimeout(function () { pollJob(el); }, 2000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-url]").forEach(pollJob);
  });
})();
