// chaosrun timeline: clicking a task keeps its details; clicking a
// transcript line shows its moment; clicking a seed shows its replay
// command. Hovering works without this script (SVG titles).
(function () {
  "use strict";
  function detailOf(el) {
    var sec = el.closest("section.case");
    return sec ? sec.querySelector(".detail") : null;
  }
  function titleOf(el) {
    var t = el.querySelector("title");
    return t ? t.textContent : "";
  }
  document.querySelectorAll("svg.timeline .task, svg.timeline .band, svg.timeline .marker").forEach(function (el) {
    el.addEventListener("mouseenter", function () {
      var d = detailOf(el);
      if (d && !d.dataset.kept) { d.textContent = titleOf(el) || el.querySelector("title").textContent; }
    });
  });
  document.querySelectorAll("svg.timeline .task").forEach(function (el) {
    function keep() {
      var d = detailOf(el);
      if (d) { d.textContent = titleOf(el); d.dataset.kept = el.dataset.task; }
    }
    el.addEventListener("click", keep);
    el.addEventListener("keydown", function (e) { if (e.key === "Enter") { keep(); } });
  });
  function showMoment(li) {
    var sec = li.closest("section.case");
    if (!sec) { return; }
    var ms = Number(li.dataset.ms);
    sec.querySelectorAll("svg.timeline").forEach(function (svg) {
      var from = Number(svg.dataset.fromMs), to = Number(svg.dataset.toMs);
      var cur = svg.querySelector(".cursor");
      if (ms < from || ms > to) { cur.setAttribute("visibility", "hidden"); return; }
      var x = Number(svg.dataset.plotX) + Number(svg.dataset.plotWidth) * (ms - from) / Math.max(to - from, 1);
      cur.setAttribute("x1", x); cur.setAttribute("x2", x); cur.setAttribute("visibility", "visible");
    });
    sec.querySelectorAll(".transcript li.here").forEach(function (o) { o.classList.remove("here"); });
    li.classList.add("here");
    var d = detailOf(li);
    if (d) { d.textContent = li.textContent; delete d.dataset.kept; }
  }
  document.querySelectorAll(".transcript li").forEach(function (li) {
    li.addEventListener("click", function () { showMoment(li); });
  });
  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.matches(".transcript li")) { showMoment(target); }
  }
  window.addEventListener("hashchange", function () {
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.matches(".transcript li")) { showMoment(target); }
  });
  document.querySelectorAll(".seeds button").forEach(function (b) {
    b.addEventListener("click", function () {
      var box = b.closest(".failure").querySelector(".replay code");
      box.textContent = box.dataset.template.replace("{seed}", b.dataset.seed);
    });
  });
}());
