// The request form's phase list: an enterprise has thousands of phases, so the page lists
// the first ones and this finds the others as the user types, asking the app's JSON route
// (data-phases-url) a quarter second after the last key. Without JavaScript the search
// form is sent and the page comes back narrowed.
"use strict";

(function () {
  var timer = null;
  var latest = 0;

  function field(id) { return document.getElementById(id); }

  function option(phase, chosen) {
    var item = document.createElement("option");
    item.value = phase.key;
    item.setAttribute("data-duration", phase.days);
    item.setAttribute("data-type", phase.type);
    item.textContent = phase.label;  // said by the app, as the page's own list says it
    item.selected = phase.key === chosen;
    return item;
  }

  function fill(select, groups, chosen) {
    select.querySelectorAll("optgroup").forEach(function (group) { group.remove(); });
    groups.forEach(function (found) {
      var group = document.createElement("optgroup");
      group.label = found.release + " " + found.title;
      found.phases.forEach(function (phase) { group.appendChild(option(phase, chosen)); });
      select.appendChild(group);
    });
  }

  function words(body, text) {
    var matching = text ? " matching “" + text + "”" : "";
    if (body.total > body.shown) {
      return "Showing " + body.shown + " of " + body.total + " phases" + matching +
        ": type a release or phase to find the others.";
    }
    return text ? body.total + " phase" + (body.total === 1 ? "" : "s") + matching + "." : "";
  }

  function search(form) {
    var ticket = ++latest;
    var select = field("phase");
    var chosen = select.value;
    var text = field("phase-q").value.trim();
    var params = new URLSearchParams({q: text, phase: chosen});
    fetch(form.getAttribute("data-phases-url") + "?" + params.toString(),
          {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (ticket !== latest) return;  // an older answer arriving late
        fill(select, body.groups, chosen);
        field("phase-count").textContent = words(body, text);
      })
      .catch(function () {
        if (ticket === latest) field("phase-count").textContent = "Could not search the phases.";
      });
  }

  function init() {
    var form = field("phase-search");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      search(form);
    });
    field("phase-q").addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(form); }, 250);
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
