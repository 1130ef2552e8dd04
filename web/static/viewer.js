// A diagram as its owner drew it (bpmn-js), read-only: on the instance page each activity
// marked with where the case stands (done, open, waiting for a timer, failed) and the
// flows it went along; on the process page each activity's open tasks and median wait
// (web/bpmn_viewer.py). The analytics page gives its data in the page (data-inline: a
// JSON block's id), with markers (a class per activity: its heat) and overlays (its
// median wait).
(function () {
  'use strict';
  const holder = document.getElementById('bpmn-viewer');
  if (!holder) return;
  // bpmn-js sets an outside label (an event's, a gateway's, a flow's) in a box 90px wide
  // and breaks any word wider than that: at its 11px "Μπλοκαρισμένος" came out as
  // "Μπλοκαρισμένο" over "ς". At 10px the longest Greek words of the processes fit.
  const viewer = new BpmnJS({
    container: holder,
    textRenderer: { externalStyle: { fontSize: 10 } },
  });
  const SMALLEST = 0.45; // below this the names cannot be read: zoom in on the case instead

  function badge(className, text) {
    const element = document.createElement('span');
    element.className = className;
    element.textContent = text;
    return element;
  }

  // Fit the whole diagram; when that makes it too small to read, show the part where the
  // case stands (the rest is a drag or a scroll away inside the box).
  function frame(canvas, registry, focus) {
    canvas.zoom('fit-viewport');
    if (canvas.zoom() >= SMALLEST) return;
    const target = focus.map((id) => registry.get(id)).find(Boolean);
    canvas.zoom(SMALLEST);
    const box = canvas.viewbox();
    const inner = box.inner;
    // Centred on the case, but never past the diagram's edges (no empty half box); a
    // diagram lower than the box stays centred in it.
    const along = (centre, start, size, room) => (size <= room
      ? start - (room - size) / 2
      : Math.min(Math.max(centre - room / 2, start), start + size - room));
    const x = along(target ? target.x + target.width / 2 : inner.x, inner.x, inner.width, box.width);
    const y = along(target ? target.y + target.height / 2 : inner.y, inner.y, inner.height, box.height);
    canvas.viewbox({ x: x, y: y, width: box.width, height: box.height });
  }

  const inline = holder.dataset.inline && document.getElementById(holder.dataset.inline);
  const data = inline
    ? Promise.resolve(JSON.parse(inline.textContent))
    : fetch(holder.dataset.src, { headers: { Accept: 'application/json' } }).then((answer) => answer.json());
  data
    .then(async (found) => {
      await viewer.importXML(found.bpmn);
      const canvas = viewer.get('canvas');
      const registry = viewer.get('elementRegistry');
      const overlays = viewer.get('overlays');
      const state = found.state || {};
      Object.entries(state).forEach(([kind, ids]) => {
        ids.forEach((id) => {
          if (!registry.get(id)) return;
          canvas.addMarker(id, 'state-' + kind);
          const word = (found.words || {})[kind];
          if (word) {
            overlays.add(id, 'state', {
              position: { bottom: 4, left: 0 },
              html: badge('state-badge state-badge-' + kind, word),
            });
          }
        });
      });
      (found.taken || []).forEach((id) => {
        if (registry.get(id)) canvas.addMarker(id, 'state-taken');
      });
      Object.entries(found.markers || {}).forEach(([marker, ids]) => {
        ids.forEach((id) => { if (registry.get(id)) canvas.addMarker(id, marker); });
      });
      // The process page: each activity's open tasks and their median wait, as a badge.
      Object.entries(found.overlays || {}).forEach(([id, text]) => {
        if (!registry.get(id)) return;
        overlays.add(id, 'load', { position: { top: -14, left: 0 }, html: badge('load-badge', text) });
      });
      const focus = [].concat(state.failed || [], state.active || [], state.waiting || []);
      frame(canvas, registry, focus.concat(Object.keys(found.overlays || {})));
      holder.dataset.ready = 'true';
    });
})();
