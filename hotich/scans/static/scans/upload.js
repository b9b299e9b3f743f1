/* Scan upload: several files at once, a progress bar for the transfer, then per-file steps. */
(function () {
  "use strict";
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderFiles(table, files) {
    const body = table.querySelector("tbody");
    body.textContent = "";
    files.forEach(function (f) {
      const row = el("tr", "file-" + f.status);
      row.appendChild(el("td", "", f.name));
      row.appendChild(el("td", "", f.status_label));
      row.appendChild(el("td", "", f.step));
      row.appendChild(el("td", "num", f.page_count === null ? "" : f.pages_done + " / " + f.page_count));
      row.appendChild(el("td", f.status === "failed" ? "error" : "muted", f.message));
      body.appendChild(row);
    });
    table.hidden = false;
  }

  function poll(root, url) {
    const bar = root.querySelector(".upload-progress > span");
    const text = root.querySelector(".upload-text");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        renderFiles(root.querySelector(".upload-files"), data.files);
        bar.style.width = data.percent + "%";
        text.textContent = data.label;
        if (data.finished && data.status === "failed") {
          text.textContent = data.message;
          text.classList.add("error");
        } else if (data.finished) {
          text.textContent = root.dataset.doneText;
          setTimeout(function () { location.reload(); }, 1200);
        } else {
          setTimeout(function () { poll(root, url); }, 700);
        }
      })
      .catch(function () { setTimeout(function () { poll(root, url); }, 2000); });
  }

  function send(form, chosen) {
    const root = form.closest("[data-scan-upload]");
    const bar = root.querySelector(".upload-progress > span");
    const text = root.querySelector(".upload-text");
    /* Files over the limit are not sent at all (the server would refuse them after the
       transfer): they are named at once, and the others go. */
    const limit = parseInt(root.dataset.maxBytes, 10) || 0;
    const files = [];
    const refused = [];
    Array.prototype.forEach.call(chosen, function (f) {
      if (limit && f.size > limit) refused.push(root.dataset.tooBigText.replace("%s", f.name));
      else files.push(f);
    });
    let notes = root.querySelector(".upload-refused");
    if (!notes) {
      notes = el("ul", "upload-refused error");
      root.querySelector(".upload-status").before(notes);
    }
    notes.textContent = "";
    refused.forEach(function (message) { notes.appendChild(el("li", "", message)); });
    if (!files.length) return;
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    files.forEach(function (f) { data.append("files", f, f.name); });
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (ev) {
      if (!ev.lengthComputable) return;
      const pct = Math.round(100 * ev.loaded / ev.total);
      bar.style.width = pct + "%";
      text.textContent = root.dataset.sendingText.replace("%s", pct);
    };
    xhr.onload = function () {
      let reply = {};
      try { reply = JSON.parse(xhr.responseText); } catch (e) { reply = {}; }
      if (xhr.status >= 200 && xhr.status < 300 && reply.status_url) {
        (reply.refused || []).forEach(function (message) { notes.appendChild(el("li", "", message)); });
        bar.style.width = "0%";
        text.textContent = root.dataset.processingText;
        poll(root, reply.status_url);
      } else {
        text.textContent = reply.error || root.dataset.errorText;
        text.classList.add("error");
        form.querySelector("button[type=submit]").disabled = false;
      }
    };
    xhr.onerror = function () {
      text.textContent = root.dataset.errorText;
      text.classList.add("error");
      form.querySelector("button[type=submit]").disabled = false;
    };
    form.querySelector("button[type=submit]").disabled = true;
    root.querySelector(".upload-status").hidden = false;
    xhr.send(data);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-scan-upload]").forEach(function (root) {
      const form = root.querySelector("form");
      const input = form.querySelector("input[type=file]");
      const zone = root.querySelector(".drop-zone");
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        if (input.files.length) send(form, input.files);
      });
      if (zone) {
        ["dragenter", "dragover"].forEach(function (name) {
          zone.addEventListener(name, function (ev) { ev.preventDefault(); zone.classList.add("over"); });
        });
        ["dragleave", "drop"].forEach(function (name) {
          zone.addEventListener(name, function () { zone.classList.remove("over"); });
        });
        zone.addEventListener("drop", function (ev) {
          ev.preventDefault();
          if (ev.dataTransfer.files.length) send(form, ev.dataTransfer.files);
        });
      }
    });

    /* The page actions panel follows the page shown in the viewer. */
    document.querySelectorAll("[data-page-actions]").forEach(function (panel) {
      const viewer = document.getElementById(panel.dataset.viewer);
      if (!viewer) return;
      function follow(page) {
        if (!page) return;
        panel.querySelectorAll("form").forEach(function (f) {
          f.action = panel.dataset.actionUrl.replace("/0/", "/" + page.id + "/");
        });
        panel.querySelector(".current-page").textContent = page.label;
        const pdf = panel.querySelector(".page-pdf");
        if (pdf) pdf.href = panel.dataset.pdfUrl.replace("/0/", "/" + page.id + "/");
      }
      viewer.addEventListener("viewer:pagechange", function (ev) { follow(ev.detail); });
      const start = function () {
        if (viewer.hotichViewer) {
          const hash = location.hash.match(/^#trang-(\d+)$/);
          if (hash) viewer.hotichViewer.goToId(parseInt(hash[1], 10));
          follow(viewer.hotichViewer.current());
        } else {
          setTimeout(start, 50);
        }
      };
      start();
    });

    /* Links "show this page" in the records table. */
    document.querySelectorAll("[data-show-page]").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        const viewer = document.getElementById(a.dataset.viewer);
        if (viewer && viewer.hotichViewer) {
          ev.preventDefault();
          viewer.hotichViewer.goToId(parseInt(a.dataset.showPage, 10));
          viewer.focus();
        }
      });
    });
  });
})();
