// The booking request form: offer the earliest free slots as the user types.
// Asks the app's own JSON route (data-slots-url) a quarter second after the last change.
"use strict";

window.envschedSlots = (function () {
  var timer = null;
  var latest = 0;

  function field(id) { return document.getElementById(id); }

  function query(form) {
    var phase = field("phase");
    var params = new URLSearchParams();
    params.set("phase", phase.value);
    params.set("type", field("type").value);
    if (field("environment") && field("environment").value) {
      params.set("environment", field("environment").value);
    }
    params.set("duration", field("duration_days").value);
    params.set("after", field("earliest_start").value);
    if (field("latest_end").value) params.set("before", field("latest_end").value);
    return form.getAttribute("data-slots-url") + "?" + params.toString();
  }

  // Choosing a slot fills the form as a person would: its environment (when the list offers
  // it), its first day, and then what the chosen phase brings (the phase path, onPhaseChange).
  function choose(slot) {
    var environment = field("environment");
    var offered = environment && Array.prototype.some.call(environment.options, function (o) {
      return o.value === slot.environment;
    });
    if (offered) environment.value = slot.environment;
    field("earliest_start").value = slot.start;
    onPhaseChange();
    field("slots-status").textContent = "Chosen: " + slot.environment + ", " + slot.days +
      ". Submit the request to ask for it.";
  }

  function item(slot, suggested) {
    var row = document.createElement("li");
    var words = document.createElement("span");
    var button = document.createElement("button");
    if (suggested) row.className = "suggested";
    // slot.days: the first and last day, worded by the server (envsched.days)
    words.textContent = (suggested ? "Suggested: " : "") + slot.environment + ", " + slot.days;
    button.type = "button";
    button.className = "secondary small";
    button.textContent = "Choose";
    button.setAttribute("aria-label", "Choose " + slot.environment + ", " + slot.days);
    button.addEventListener("click", function () { choose(slot); });
    row.append(words, " ", button);
    return row;
  }

  function show(slots, message) {
    var list = field("slot-list");
    var status = field("slots-status");
    list.textContent = "";
    slots.forEach(function (slot, index) { list.appendChild(item(slot, index === 0)); });
    status.textContent = message || (slots.length ?
      slots.length + " free slot" + (slots.length === 1 ? "" : "s") + " found; the first is suggested." :
      "No free slot in the next year for these days.");
    if (slots.length && !message) status.textContent += " Choose one to fill the form.";
  }

  function ready() {
    return Number(field("duration_days").value) >= 1 &&
      Boolean(field("phase").value || field("type").value) && Boolean(field("earliest_start").value);
  }

  function refresh(form) {
    var ticket = ++latest;
    if (!ready()) {
      show([], "Choose a phase or a type, the days needed and the earliest start.");
      return;
    }
    fetch(query(form), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (ticket !== latest) return;  // an older answer arriving late
        if (body.error) { show([], body.error.message); return; }
        show(body.slots, body.message);
      })
      .catch(function () { if (ticket === latest) show([], "Could not fetch free slots."); });
  }

  function onPhaseChange() {
    var option = field("phase").selectedOptions[0];
    var days = option ? option.getAttribute("data-duration") : "";
    if (days) field("duration_days").value = days;
    field("type").disabled = Boolean(field("phase").value);
  }

  function init() {
    var form = document.getElementById("request-form");
    if (!form) return;
    field("phase").addEventListener("change", onPhaseChange);
    onPhaseChange();
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { refresh(form); }, 250);
    });
    form.addEventListener("change", function () { refresh(form); });
    refresh(form);
  }

  return {init: init};
})();
