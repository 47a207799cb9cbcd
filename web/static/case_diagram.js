/* The case page's process diagram: rendered with the bpmn-js viewer (web/static/vendor, from npm),
   the current step marked `huitou-current` and the steps done `huitou-done`.

   The diagram is drawn at a chosen scale into a canvas of exactly that size, inside a box that
   scrolls natively: on a phone a finger scrolls it, the buttons zoom. Anything missing (no viewer,
   no fetch, a failed request) leaves the section hidden; the page names the step in text. */
(function () {
  "use strict";

  var PAD = 24;          // diagram units around the drawing
  var READABLE = 0.7;    // a phone starts here when fitting would shrink the labels too far
  var MIN_FIT = 0.45;
  var MAX_SCALE = 2;

  var holder = document.querySelector("[data-case-diagram]");
  if (!holder || typeof window.BpmnJS !== "function" || typeof window.fetch !== "function") {
    return;
  }
  var section = holder.closest("section") || holder;
  var box = holder.querySelector(".diagram-box");
  var canvasEl = holder.querySelector(".diagram-canvas");

  function markAll(canvas, registry, ids, marker) {
    ids.forEach(function (id) {
      if (registry.get(id)) {
        canvas.addMarker(id, marker);
      }
    });
  }

  function render(data) {
    section.hidden = false; // the viewer measures its container: it must be on the page
    var viewer = new window.BpmnJS({ container: canvasEl });
    return viewer.importXML(data.xml).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      markAll(canvas, registry, data.done || [], "huitou-done");
      markAll(canvas, registry, data.current || [], "huitou-current");
      var inner = canvas.viewbox().inner;
      var area = {
        x: inner.x - PAD,
        y: inner.y - PAD,
        width: inner.width + 2 * PAD,
        height: inner.height + 2 * PAD
      };
      var current = (data.current || []).map(function (id) { return registry.get(id); })
        .filter(Boolean)[0];
      var scale = 1;

      function fitScale() {
        return Math.min(1, box.clientWidth / area.width);
      }

      function show(newScale) {
        scale = Math.max(Math.min(newScale, MAX_SCALE), Math.min(fitScale(), MIN_FIT));
        canvasEl.style.width = Math.floor(area.width * scale) + "px";
        canvasEl.style.height = Math.ceil(area.height * scale) + "px";
        canvas.resized();
        canvas.viewbox(area);
      }

      function centreOnCurrent() {
        if (!current) {
          return;
        }
        var cx = (current.x + current.width / 2 - area.x) * scale;
        var cy = (current.y + current.height / 2 - area.y) * scale;
        box.scrollLeft = Math.max(0, cx - box.clientWidth / 2);
        box.scrollTop = Math.max(0, cy - box.clientHeight / 2);
      }

      var fit = fitScale();
      show(fit >= MIN_FIT ? fit : READABLE);
      centreOnCurrent();

      holder.querySelectorAll("[data-zoom]").forEach(function (button) {
        button.addEventListener("click", function () {
          var how = button.getAttribute("data-zoom");
          show(how === "in" ? scale * 1.25 : how === "out" ? scale / 1.25 : fitScale());
          centreOnCurrent();
        });
      });
      holder.setAttribute("data-rendered", "true");
    });
  }

  window.fetch(holder.getAttribute("data-case-diagram"), {
    credentials: "same-origin",
    headers: { Accept: "application/json" }
  })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("diagram: HTTP " + response.status);
      }
      return response.json();
    })
    .then(render)
    .catch(function (error) {
      section.hidden = true; // the header still says which step the case is at
      if (window.console) {
        window.console.warn(error);
      }
    });
})();
