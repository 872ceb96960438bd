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

document.addEventListener("DOMContentLoaded", function () {
  drawCharts();
  if (window.envschedSlots) window.envschedSlots.init();
});
