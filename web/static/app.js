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
    if (element.hasAttribute("data-booking-url")) openBookingsOnClick(element);
  });
}

// A timeline's booking bars open the booking's page: a bar's customdata starts with the
// booking id (web/charts.py); data-booking-url is the page of booking 0, the id swapped in.
// Hatched maintenance and freeze bars carry no customdata and open nothing.
function openBookingsOnClick(element) {
  var template = element.getAttribute("data-booking-url");
  var drag = function () { return element.querySelector(".nsewdrag"); };
  function bookingId(event) {
    var point = event && event.points && event.points[0];
    return point && point.customdata ? point.customdata[0] : null;
  }
  element.on("plotly_click", function (event) {
    var id = bookingId(event);
    if (id !== null) window.location.href = template.replace(/\/0$/, "/" + id);
  });
  element.on("plotly_hover", function (event) {
    if (drag()) drag().style.cursor = bookingId(event) !== null ? "pointer" : "";
  });
  element.on("plotly_unhover", function () { if (drag()) drag().style.cursor = ""; });
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

// The header's Menu button (shown on narrow screens by app.css once the page is
// .menu-ready) opens and closes the menu; Escape closes it and gives the button focus.
function setUpMenu() {
  var button = document.querySelector(".menu-button");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) return;
  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  }
  button.hidden = false;
  document.documentElement.classList.add("menu-ready");
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.classList.contains("open")) {
      show(false);
      button.focus();
    }
  });
}

// A table wider than the screen scrolls inside itself (app.css, on a phone): a keyboard
// can then focus it and scroll it with the arrow keys, links or not; one that fits is no
// tab stop. Checked again when the window changes size.
function focusScrollingTables() {
  document.querySelectorAll("table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth) table.setAttribute("tabindex", "0");
    else table.removeAttribute("tabindex");
  });
}
window.addEventListener("resize", focusScrollingTables);

// Weekday boxes that follow a date field (the series form: data-follows-day names the
// first day's field, the boxes run Monday to Sunday): while the user has ticked none
// of them themselves, the weekday ticked is the date's (the server ticks it first and
// marks it data-default). The first box the user ticks replaces that default, so a
// weekday nobody chose never stays in the series.
function followDay(fieldset) {
  var field = document.getElementById(fieldset.getAttribute("data-follows-day"));
  var boxes = fieldset.querySelectorAll('input[type="checkbox"]');
  var byDefault = fieldset.querySelector("input[data-default]");
  var chosen = false;
  if (!field) return;
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      if (!chosen && byDefault && byDefault !== box) byDefault.checked = false;
      chosen = true;
    });
  });
  function follow() {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(field.value);
    if (chosen || !parts) return;
    var weekday = (new Date(Date.UTC(+parts[1], parts[2] - 1, +parts[3])).getUTCDay() + 6) % 7;
    boxes.forEach(function (box, index) { box.checked = index === weekday; });
    byDefault = boxes[weekday];
  }
  field.addEventListener("input", follow);  // typed dates may not fire change till blur
  field.addEventListener("change", follow);
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-follows-day]").forEach(followDay);
  focusScrollingTables();
  setUpMenu();
  focusErrorSummary();
  drawCharts();
  if (window.envschedSlots) window.envschedSlots.init();
});
