// Progressive enhancement only: every page works without this file (the server applies the same
// enable-when rules when a form is posted).
(function () {
  "use strict";

  function same(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a === b; }
    return a === b;
  }

  function answerOf(form, itemId) {
    var box = document.getElementById("q-" + itemId);
    if (!box || box.hidden) { return undefined; }
    var inputs = box.querySelectorAll("input, select, textarea");
    var multi = [], single, seen = false;
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.type === "radio") {
        if (el.checked) { seen = true; single = el.value === "declined" ? undefined : JSON.parse(el.getAttribute("data-answer")); }
      } else if (el.type === "checkbox") {
        if (el.name.slice(-10) === "__declined") { continue; }
        if (el.checked) { seen = true; multi.push(JSON.parse(el.getAttribute("data-answer"))); }
      } else if (el.value.trim() !== "") {
        seen = true;
        var n = Number(el.value.replace(",", "."));
        single = isNaN(n) ? el.value : n;
      }
    }
    if (!seen) { return undefined; }
    var first = inputs[0];
    if (first && first.type === "checkbox" && first.name.slice(-10) !== "__declined") { return multi; }
    return single;
  }

  function holds(cond, value) {
    var present = value !== undefined && value !== null;
    if (cond.op === "answered") { return present === !!cond.value; }
    if (cond.op === "not_in") { return !present || !cond.value.some(function (v) { return same(value, v); }); }
    if (!present) { return false; }
    switch (cond.op) {
      case "=": return same(value, cond.value);
      case "!=": return !same(value, cond.value);
      case "in": return cond.value.some(function (v) { return same(value, v); });
      case "contains": return (Array.isArray(value) ? value : [value]).some(function (v) { return same(v, cond.value); });
      case ">": return value > cond.value;
      case ">=": return value >= cond.value;
      case "<": return value < cond.value;
      case "<=": return value <= cond.value;
    }
    return false;
  }

  function apply(form) {
    var boxes = form.querySelectorAll("[data-enable-when]");
    for (var i = 0; i < boxes.length; i++) {
      var spec = JSON.parse(boxes[i].getAttribute("data-enable-when"));
      var results = spec.conditions.map(function (c) { return holds(c, answerOf(form, c.item)); });
      var on = spec.behavior === "any" ? results.some(Boolean) : results.every(Boolean);
      boxes[i].hidden = !on;
    }
    // A section heading with none of its questions showing would head nothing: hide it too.
    var groups = form.querySelectorAll("[data-question-group]");
    for (var g = 0; g < groups.length; g++) {
      var questions = groups[g].querySelectorAll(".question");
      var visible = 0;
      for (var k = 0; k < questions.length; k++) { if (!questions[k].hidden) { visible++; } }
      groups[g].hidden = questions.length > 0 && visible === 0;
    }
  }

  // A link in the error summary moves focus to the field and scrolls so that its question (the
  // label or legend) is in view too, not just the input at the very top of the screen.
  function linkErrors(summary) {
    summary.addEventListener("click", function (e) {
      var link = e.target.closest ? e.target.closest("a[href^='#']") : null;
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      e.preventDefault();
      var box = target.closest(".question, .field, fieldset") || target;
      box.scrollIntoView({block: "start"});
      target.focus({preventScroll: true});
    });
  }

  // Job progress pages: ask the server for the job's state every 2 s and update the bar in place
  // (without this file the page offers a refresh link); reload once it has finished.
  function followJob(box) {
    var url = box.getAttribute("data-job-progress");
    var bar = box.querySelector("progress");
    var label = box.querySelector("[data-job-count]");
    var status = box.querySelector("[data-job-status]");
    var heading = box.querySelector("[data-job-heading]");
    function tick() {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        if (xhr.status !== 200) { return; }
        var s = JSON.parse(xhr.responseText);
        if (s.status === "done" || s.status === "failed") { window.location.reload(); return; }
        bar.max = s.total || 1;
        bar.value = s.done;
        bar.textContent = s.percent + "%";
        label.textContent = s.count;
        status.textContent = s.text;
        heading.textContent = s.heading;
        window.setTimeout(tick, 2000);
      };
      xhr.onerror = function () { window.setTimeout(tick, 5000); };
      xhr.send();
    }
    var fallback = box.querySelector("[data-job-refresh]");
    if (fallback) { fallback.hidden = true; }
    window.setTimeout(tick, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    var jobBoxes = document.querySelectorAll("[data-job-progress]");
    for (var jb = 0; jb < jobBoxes.length; jb++) { followJob(jobBoxes[jb]); }
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); linkErrors(summary); }

    var forms = document.querySelectorAll("[data-enable-when-form]");
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        apply(form);
        form.addEventListener("change", function () { apply(form); });
        form.addEventListener("input", function () { apply(form); });
      })(forms[i]);
    }

    var boxes = document.querySelectorAll("[data-select-on-focus]");
    for (var j = 0; j < boxes.length; j++) {
      boxes[j].addEventListener("focus", function (e) { e.target.select(); });
    }

    var once = document.querySelectorAll("form[data-submit-once]");
    for (var k = 0; k < once.length; k++) {
      once[k].addEventListener("submit", function (e) {
        var form = e.target;
        if (form.getAttribute("data-submitting")) { e.preventDefault(); return; }
        form.setAttribute("data-submitting", "1");
        var buttons = form.querySelectorAll("button[type=submit]");
        for (var b = 0; b < buttons.length; b++) { buttons[b].setAttribute("aria-disabled", "true"); }
      });
    }
  });
})();
