/* Completeness page: a box in each group's head selects every problem not yet explained. */
(function () {
  "use strict";
  document.querySelectorAll("[data-acc-group]").forEach((form) => {
    const all = form.querySelector("[data-acc-all]");
    const open = Array.from(form.querySelectorAll("[data-acc-open]"));
    if (!all || !open.length) return;
    all.hidden = false;
    all.addEventListener("change", () => { open.forEach((box) => { box.checked = all.checked; }); });
  });
})();
