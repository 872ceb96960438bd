// The timeline to work on (web/ui/timeline.py): vis-timeline, served by the app.
// Lanes are environments, bars are bookings. A bar opens its booking; an environment
// manager drags it to move it (POST /api/v1/bookings/<id>/move: the server checks every
// rule and a refusal puts the bar back, naming the rule); a click or a drag across free
// days of a lane fills the "Free days chosen" form, which opens the request form or the
// direct booking form prefilled. More days are fetched as the reader scrolls.
"use strict";

(function () {
  var DAY_MS = 86400000;
  var LONGEST_FETCH_DAYS = 400;  // as web/ui/timeline.py answers at most

  // Days are local midnights in the browser and ISO dates on the wire.
  function dayOf(iso) {
    var p = iso.split("-").map(Number);
    return new Date(p[0], p[1] - 1, p[2]);
  }
  function isoOf(date) {
    var d = new Date(date);
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" +
      String(d.getDate()).padStart(2, "0");
  }
  function asDay(value) {  // an item's date: an ISO string from the server, or a Date
    return value instanceof Date ? floorDay(value) : dayOf(String(value).slice(0, 10));
  }
  function floorDay(date) {
    var d = new Date(date);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate());
  }
  function ceilDay(date) {
    var day = floorDay(date);
    return day.getTime() === new Date(date).getTime() ? day : addDays(day, 1);
  }
  function roundDay(date) { return floorDay(new Date(date).getTime() + DAY_MS / 2); }
  function addDays(date, days) {
    var d = new Date(date);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days);
  }
  function dayText(date) {
    return new Date(date).toLocaleDateString("en-GB", {day: "numeric", month: "short", year: "numeric"});
  }
  // [start, end) as its first and last day, as the server says them (envsched/days.py):
  // "6–8 Dec 2026", "28 Feb – 3 Mar 2027", "30 Dec 2026 – 2 Jan 2027".
  function daysText(start, end) {
    var first = new Date(start), last = addDays(end, -1);
    if (last <= first) return dayText(first);
    if (first.getFullYear() !== last.getFullYear()) return dayText(first) + " – " + dayText(last);
    if (first.getMonth() !== last.getMonth()) {
      return first.toLocaleDateString("en-GB", {day: "numeric", month: "short"}) + " – " + dayText(last);
    }
    return first.getDate() + "–" + dayText(last);
  }
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function json(element, name) { return JSON.parse(element.getAttribute(name)); }

  function say(text, kind) {
    var box = document.getElementById("timeline-message");
    box.className = "timeline-message flash flash-" + kind;
    box.textContent = text;
  }

  // Asks the server for the items of [start, end) and puts them in the data set; what the
  // set held on those days and the answer lacks (a booking moved away) is dropped.
  function Loader(element, items) {
    this.element = element;
    this.items = items;
    this.start = dayOf(element.getAttribute("data-loaded-start"));
    this.end = dayOf(element.getAttribute("data-loaded-end"));
  }
  Loader.prototype.url = function (start, end) {
    var url = new URL(this.element.getAttribute("data-items-url"), window.location.href);
    url.searchParams.set("start", isoOf(start));
    url.searchParams.set("end", isoOf(end));
    return url.toString();
  };
  Loader.prototype.fetch = function (start, end) {
    var self = this;
    return fetch(this.url(start, end), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.error) { say(body.error.message, "error"); return; }
        var kept = {};
        body.items.forEach(function (item) { kept[item.id] = true; });
        var stale = self.items.get({filter: function (item) {
          return item.id !== "selection" && !kept[item.id] &&
            asDay(item.start) < end && asDay(item.end) > start;
        }}).map(function (item) { return item.id; });
        self.items.remove(stale);
        self.items.update(body.items);
        self.start = start < self.start ? start : self.start;
        self.end = end > self.end ? end : self.end;
        self.element.setAttribute("data-loaded-start", isoOf(self.start));
        self.element.setAttribute("data-loaded-end", isoOf(self.end));
      });
  };
  // Fetch what the window [start, end) shows and the loader has not got yet.
  // Some days either side come along, as many as are in view while one answer holds them.
  Loader.prototype.cover = function (start, end) {
    var shown = end - start;
    var pad = Math.max(0, Math.min(shown, ((LONGEST_FETCH_DAYS - 2) * DAY_MS - shown) / 2));
    var from = floorDay(start - pad), to = addDays(floorDay(end.getTime() + pad), 1);
    if (from >= this.start && to <= this.end) return Promise.resolve();
    if (to > this.start && from < this.start && to <= this.end) to = this.start;
    if (from < this.end && to > this.end && from >= this.start) from = this.end;
    return this.fetch(from, to);
  };
  // After a change: fetch again what is in view.
  Loader.prototype.refresh = function (start, end) {
    return this.fetch(floorDay(start), addDays(floorDay(end), 1));
  };

  // Days chosen on a lane: shown as a background item and copied into the form.
  function Picker(element, timeline, items) {
    this.element = element;
    this.timeline = timeline;
    this.items = items;
    this.form = document.getElementById("pick-days");
    this.anchor = null;
  }
  Picker.prototype.show = function (group, first, last) {
    var start = first <= last ? first : last, end = addDays(first <= last ? last : first, 1);
    this.items.update({id: "selection", group: group, start: isoOf(start), end: isoOf(end),
                       type: "background", className: "selection", content: ""});
    this.form.elements.environment.value = group;
    this.form.elements.start.value = isoOf(start);
    this.form.elements.last_day.value = isoOf(addDays(end, -1));
    var count = Math.round((end - start) / DAY_MS);
    var how = this.form.querySelectorAll("button").length > 1 ? "request or book" : "request";
    say(group + ", " + daysText(start, end) + " (" + count + " day" + (count === 1 ? "" : "s") +
        ") chosen: " + how + " them below.", "info");
  };
  // A press on a lane's free space (not on a booking) starts choosing days; moving
  // the mouse along the lane stretches the choice; letting go keeps it.
  Picker.prototype.press = function (event) {
    if (event.button !== 0) return;
    var props = this.timeline.getEventProperties(event);
    var onBooking = props.item !== null && props.item !== undefined && typeof props.item === "number";
    if (!props.group || onBooking || props.what === "axis" || props.what === "group-label") return;
    event.stopPropagation();  // vis-timeline would pan; on a lane, a drag chooses days
    event.preventDefault();
    var self = this, group = props.group, first = floorDay(props.time);
    self.show(group, first, first);
    function move(e) { self.show(group, first, floorDay(self.timeline.getEventProperties(e).time)); }
    function up(e) {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
      move(e);
      self.form.querySelector("button").focus({preventScroll: true});
    }
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  };

  // An environment manager's drag: ask the server; the answer keeps or undoes it.
  function mover(element, loader, timeline) {
    var template = element.getAttribute("data-move-url");
    var rules = json(element, "data-rules");
    return function (item, callback) {
      var start = roundDay(item.start), environment = item.group;
      var was = loader.items.get(item.id);  // the data set still holds where it was
      if (was && was.group === environment && isoOf(asDay(was.start)) === isoOf(start)) {
        callback(null);
        return;
      }
      fetch(template.replace(/\/0\/move$/, "/" + item.id + "/move"), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": csrfToken()},
        body: JSON.stringify({environment: environment, start: isoOf(start)})
      }).then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      }).then(function (answer) {
        var label = item.label;  // the bar's words, plain text (web/timeline_items.py)
        if (!answer.ok) {
          callback(null);  // the bar goes back where it was
          say(refusal(label, answer.body, rules), "error");
          return;
        }
        item.start = dayOf(answer.body.start);
        item.end = dayOf(answer.body.end);
        callback(item);
        say("Moved: " + label + " to " + answer.body.environment + ", " +
            daysText(item.start, item.end) + ".", "success");
        var window_ = timeline.getWindow();
        loader.refresh(window_.start, window_.end);
      }).catch(function () {
        callback(null);
        say("The move did not reach the server; nothing changed.", "error");
      });
    };
  }

  function refusal(label, body, rules) {
    var error = (body && body.error) || {};
    var rule = error.rule && rules[error.rule];
    var named = rule ? rule.charAt(0).toUpperCase() + rule.slice(1) + ": " : "";
    // A titled refusal of a value says its problem alone (its message starts with the field).
    var said = (rule && error.problem) || error.message || "refused";
    return "Not moved: " + label + " stays where it was. " + named + said + ".";
  }

  // A bar too short for its label shows the short one (the phase's own part), and one
  // that would show less than three quarters of that shows none ("bare": a cut "CR" or
  // "h" says nothing, where "CRM-7." still names its release); the tooltip still says it
  // all and a click still opens it. Measured after each redraw.
  function fitLabels(element) {
    element.querySelectorAll(".vis-item.booking").forEach(function (bar) {
      var full = bar.querySelector(".label-full"), box = bar.querySelector(".vis-item-overflow");
      var short = bar.querySelector(".label-short");
      if (!full || !box) return;
      bar.classList.remove("narrow", "bare");
      if (full.offsetWidth + 10 <= box.clientWidth) return;
      bar.classList.add("narrow");
      if (!short || short.offsetWidth * 0.75 > box.clientWidth) bar.classList.add("bare");
    });
  }

  // The counts above the timeline follow what it shows (the page says them first).
  function count(element, items, lanes, start, end) {
    var shown = items.get({filter: function (item) {
      return item.label !== undefined && asDay(item.start) < end && asDay(item.end) > start;
    }});
    var clashes = shown.filter(function (item) { return / clash/.test(item.className); });
    document.getElementById("timeline-counts").textContent = shown.length + " booking" +
      (shown.length === 1 ? "" : "s") + " " + daysText(floorDay(start), ceilDay(end)) +
      " on " + lanes + " environment" + (lanes === 1 ? "" : "s") + "; " + clashes.length +
      " of them in a clash (red).";
  }

  function zoomLinks(timeline) {
    document.querySelectorAll("[data-zoom-weeks]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var weeks = Number(link.getAttribute("data-zoom-weeks"));
        var start = floorDay(timeline.getWindow().start);
        timeline.setWindow(start, addDays(start, weeks * 7), {animation: false});
        document.querySelectorAll("[data-zoom-weeks]").forEach(function (other) {
          other.removeAttribute("aria-current");
        });
        link.setAttribute("aria-current", "true");
        history.replaceState(null, "", link.getAttribute("href"));
      });
    });
  }

  function options(element, handlers) {
    var mayMove = element.getAttribute("data-may-move") === "true";
    return {
      start: dayOf(element.getAttribute("data-start")),
      end: dayOf(element.getAttribute("data-end")),
      orientation: {axis: "top", item: "top"},
      stack: true,
      groupOrder: "order",
      showCurrentTime: true,
      zoomMin: 7 * DAY_MS,
      zoomMax: 366 * DAY_MS,
      zoomKey: "ctrlKey",
      horizontalScroll: true,
      verticalScroll: true,
      maxHeight: "75vh",
      margin: {axis: 4, item: {horizontal: 0, vertical: 4}},
      showWeekScale: true,
      format: {minorLabels: {week: "D MMM"}},  // a week by its first day, not its number
      editable: mayMove ? {add: false, remove: false, updateTime: true, updateGroup: true,
                           overrideItems: false} : false,
      itemsAlwaysDraggable: {item: mayMove, range: mayMove},
      selectable: true,
      snap: function (date) { return roundDay(date); },
      onMove: function (item, callback) { handlers.onMove(item, callback); },
      tooltip: {followMouse: true, overflowMethod: "flip", delay: 200},
      xss: {disabled: false, filterOptions: {whiteList: {
        a: ["class", "href", "draggable", "aria-label"], span: ["class", "aria-hidden"], br: []}}}
    };
  }

  function init() {
    var element = document.getElementById("timeline");
    if (!element || typeof vis === "undefined") return;
    var items = new vis.DataSet(json(element, "data-items"));
    var groups = new vis.DataSet(json(element, "data-lanes"));
    var handlers = {};
    var timeline = new vis.Timeline(element, items, groups, options(element, handlers));
    var loader = new Loader(element, items);
    // the lane names scroll up and down on their own: a keyboard reaches them (arrows)
    var lanes = element.querySelector(".vis-left");
    if (lanes) {
      lanes.setAttribute("tabindex", "0");
      lanes.setAttribute("role", "region");
      lanes.setAttribute("aria-label", "Environments");
    }
    handlers.onMove = mover(element, loader, timeline);
    // vis-timeline asks its pan recognisers for "SS.ALL", which Hammer does not have, so
    // they pan sideways only and a bar dragged straight down to another lane never moved:
    // let a drag start in any direction.
    var anyWay = {direction: vis.Hammer.DIRECTION_ALL};
    if (timeline.itemSet && timeline.itemSet.hammer) timeline.itemSet.hammer.get("pan").set(anyWay);
    var bookingUrl = element.getAttribute("data-booking-url");
    var pressedAt = null;  // where the pointer went down: a drag ends in a click too
    element.addEventListener("pointerdown", function (event) {
      pressedAt = [event.clientX, event.clientY];
    }, true);
    // A bar's link answers the keyboard (Enter); a mouse's click, which also ends a drag,
    // is the timeline's to judge (below).
    element.addEventListener("click", function (event) {
      if (event.detail > 0 && event.target.closest("a.bar-link")) event.preventDefault();
    });
    timeline.on("click", function (props) {
      var up = props.event, moved = pressedAt && up &&
        Math.abs(up.clientX - pressedAt[0]) + Math.abs(up.clientY - pressedAt[1]) > 4;
      if (typeof props.item === "number" && !moved) {
        window.location.href = bookingUrl.replace(/\/0$/, "/" + props.item);
      }
    });
    timeline.on("rangechanged", function (props) {
      element.setAttribute("data-visible-start", isoOf(props.start));
      element.setAttribute("data-visible-end", isoOf(props.end));
      loader.cover(props.start, props.end).then(function () {
        count(element, items, groups.length, props.start, props.end);
      });
    });
    if (element.getAttribute("data-may-pick") === "true" && document.getElementById("pick-days")) {
      var picker = new Picker(element, timeline, items);
      element.addEventListener("pointerdown", function (event) { picker.press(event); }, true);
    }
    zoomLinks(timeline);
    timeline.on("changed", function () { fitLabels(element); });
    var shown = timeline.getWindow();
    element.setAttribute("data-visible-start", isoOf(shown.start));
    element.setAttribute("data-visible-end", isoOf(shown.end));
    element.setAttribute("data-ready", "true");
    window.envschedTimeline = timeline;  // for the browser tests and the curious
    window.envschedTimelineItems = items;
  }

  document.addEventListener("DOMContentLoaded", init);
})();
