// Progress of background work (a what-if run, a planning round): polls the app's own
// JSON (the element's data-poll-url) once a second, shows the step and the solver's
// latest numbers (or its place in the queue while it waits for the worker), and reloads
// the page when the work is no longer running.
"use strict";

(function () {
  var EVERY_MS = 1000;

  function where(queue) {
    return queue.status === "queued" ? "Queued for the worker: place " + queue.place +
      " in the queue." : queue.cancel_requested ? "Stopping: it was cancelled." :
      "Running in the worker.";
  }

  function describe(body) {
    if (body.queue && body.queue.status === "queued") {
      return "Waiting for the worker… (place " + body.queue.place + " in the queue)";
    }
    var p = body.progress;
    if (!p || !p.step) return "Running…";
    var step = p.step === "whatif" ? "what-if plan" : p.step === "baseline" ? "baseline plan" : p.step;
    var text = "Step " + p.step_number + " of " + p.steps + ": " + step + ", " + p.stage +
      ", " + p.elapsed + " s";
    // the solver's own numbers (objective, bound) mean nothing to a reader: say what they mean
    if (p.objective !== null && p.objective !== undefined) text += ", a plan in hand, looking for a better one";
    return text;
  }

  function poll(element) {
    var status = document.getElementById("poll-status");
    var bar = document.getElementById("progress-bar");
    fetch(element.getAttribute("data-poll-url"),
          {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.error) { status.textContent = body.error.message; return; }
        if (body.status !== "running") { window.location.reload(); return; }
        status.textContent = describe(body);
        var line = document.getElementById("solve-queue");
        if (line && body.queue) line.textContent = where(body.queue);
        // a queued solve has no step yet: a non-finite value makes Chromium throw
        var step = body.progress ? body.progress.step_number : undefined;
        if (bar && typeof step === "number") bar.value = step - 0.5;
        setTimeout(function () { poll(element); }, EVERY_MS);
      })
      .catch(function () {
        status.textContent = "Lost touch with the server; retrying…";
        setTimeout(function () { poll(element); }, EVERY_MS * 3);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.querySelector("[data-poll-url]");
    if (element) poll(element);
  });
})();
