// envsched pages: charts from embedded figure JSON, and live slot suggestions.
// No inline scripts (the Content-Security-Policy forbids them): pages carry data in
// data-* attributes and this file wires them up.
"use strict";

function drawCharts() {
  if (typeof Plotly === "undefined") return;
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var figure = JSON.parse(element.getAttribute("data-figure"));
    // the box takes the figure's height, so a responsive resize keeps every row in view
    if (figure.layout && figure.layout.height) element.style.height = figure.layout.height + "px";
    Plotly.newPlot(element, figure.data, figure.layout, {responsive: true, displaylogo: false});
  });
}

function csrfToken() {
  var meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

// A form that undoes or removes something asks first: data-confirm holds the question,
// on the form or on the one button of several that does it (the button pressed asks).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) ||
    event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});

// A form sent back with problems: start at its list of them (keyboard and screen reader).
function focusErrorSummary() {
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  summary.setAttribute("tabindex", "-1");
  summary.focus();
}

document.addEventListener("DOMContentLoaded", function () {
  focusErrorSummary();
  drawCharts();
  if (window.envschedSlots) window.envschedSlots.init();
});
