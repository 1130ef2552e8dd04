// The instance page's diagram as its owner drew it (bpmn-js), each activity marked with
// where the case stands: done, open, waiting for a timer, failed (web/bpmn_viewer.py).
// The analytics page gives its data in the page (data-inline: a JSON block's id), with
// markers (a class per activity: its heat) and overlays (its median wait).
(function () {
  'use strict';
  const holder = document.getElementById('bpmn-viewer');
  if (!holder) return;
  const viewer = new BpmnJS({ container: holder });
  const inline = holder.dataset.inline && document.getElementById(holder.dataset.inline);
  const data = inline
    ? Promise.resolve(JSON.parse(inline.textContent))
    : fetch(holder.dataset.src, { headers: { Accept: 'application/json' } }).then((answer) => answer.json());
  data
    .then(async (found) => {
      await viewer.importXML(found.bpmn);
      const canvas = viewer.get('canvas');
      const registry = viewer.get('elementRegistry');
      canvas.zoom('fit-viewport');
      Object.entries(found.state || {}).forEach(([state, ids]) => {
        ids.forEach((id) => { if (registry.get(id)) canvas.addMarker(id, 'state-' + state); });
      });
      Object.entries(found.markers || {}).forEach(([marker, ids]) => {
        ids.forEach((id) => { if (registry.get(id)) canvas.addMarker(id, marker); });
      });
      // The process page: each activity's open tasks and their median wait, as a badge.
      const overlays = viewer.get('overlays');
      Object.entries(found.overlays || {}).forEach(([id, text]) => {
        if (!registry.get(id)) return;
        const badge = document.createElement('span');
        badge.className = 'load-badge';
        badge.textContent = text;
        overlays.add(id, { position: { top: -14, left: 0 }, html: badge });
      });
      holder.dataset.ready = 'true';
    });
})();
