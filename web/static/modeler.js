// The process owner's modeler: bpmn-js for the diagram, dmn-js for the decision tables,
// and the RACI grid whose rows follow the diagram's activities. Saving sends all three
// to the server, which stores the draft and answers with its checks (web/drafts.py).
(function () {
  'use strict';
  const script = document.getElementById('modeler-script');
  const data = JSON.parse(document.getElementById('draft-data').textContent);
  const words = JSON.parse(document.getElementById('draft-words').textContent);
  const ACTIVITIES = ['bpmn:UserTask', 'bpmn:ManualTask', 'bpmn:Task', 'bpmn:ServiceTask',
    'bpmn:ScriptTask', 'bpmn:BusinessRuleTask', 'bpmn:SendTask', 'bpmn:ReceiveTask',
    'bpmn:CallActivity', 'bpmn:SubProcess'];

  // The libraries' own words, in the reader's language (web/modeler_words.py).
  const translateModule = {
    translate: ['value', function (template, replacements) {
      const text = (words.library && words.library[template]) || template;
      return text.replace(/{([^}]+)}/g, (_, key) => (replacements || {})[key] || '{' + key + '}');
    }],
  };
  // bpmnlint checks as one draws (web/lint/rules.mjs, bundled by make); without the
  // bundle the modeler still works and the server's checks still run on save.
  const lint = window.RaciflowLint;
  const modeler = new BpmnJS({
    container: '#canvas',
    additionalModules: [translateModule].concat(lint ? [lint.module] : []),
    linting: lint ? { bpmnlint: lint.bpmnlint, active: true } : undefined,
  });
  const dmnFiles = Object.assign({}, data.dmn);
  let dmnModeler = null;
  let dmnOpen = null;  // the DMN file shown
  let roles = data.roles.slice();
  const rows = {};  // activity id -> {cells, self_approval, advisory, signoff_due}
  data.rows.forEach((row) => { rows[row.activity] = row; });
  let names = {};  // activity id -> name, from the diagram

  function roleName(role) { return words.roles[role] || role; }

  // The reader's words for a name the catalog knows; a name the owner just typed as is.
  function shownName(element) {
    const name = element.businessObject.name;
    if (!name) {
      const kind = element.type.replace('bpmn:', '');
      const word = words.types[kind.charAt(0).toLowerCase() + kind.slice(1)];
      return word ? word + ' ' + words.unnamed : element.id;
    }
    return data.original_names[element.id] === name ? (data.names[element.id] || name) : name;
  }

  function activities() {
    const registry = modeler.get('elementRegistry');
    return registry.filter((e) => ACTIVITIES.includes(e.type) && !e.labelTarget)
      .map((e) => ({ id: e.id, name: shownName(e), user: e.type === 'bpmn:UserTask' }));
  }

  function renderGrid() {
    const table = document.getElementById('raci-grid');
    const found = activities();
    names = {};
    found.forEach((a) => { names[a.id] = a.name; });
    // Rows follow the diagram: an activity drawn gets a row, one removed loses it.
    Object.keys(rows).forEach((id) => { if (!(id in names)) delete rows[id]; });
    found.forEach((a) => {
      if (!rows[a.id] && a.user) rows[a.id] = { activity: a.id, cells: {}, self_approval: false, advisory: false, signoff_due: '' };
    });
    const head = '<thead><tr><th scope="col">' + words.activity + '</th>' +
      roles.map((r) => '<th scope="col" title="' + r + '">' + roleName(r) +
        ' <button type="button" class="link remove-role" data-role="' + r + '" aria-label="' + words.remove_role + ' ' + roleName(r) + '">×</button></th>').join('') +
      '<th scope="col">' + words.self_approval + '</th><th scope="col">' + words.advisory + '</th><th scope="col">' + words.signoff_due + '</th>' +
      (offersForms ? '<th scope="col">' + words.form + '</th>' : '') +
      '<th scope="col">' + words.scope + '</th></tr></thead>';
    const body = found.filter((a) => rows[a.id]).map((a) => {
      const row = rows[a.id];
      return '<tr data-activity="' + a.id + '"><th scope="row" title="' + a.id + '">' + escapeHtml(a.name) + '</th>' +
        roles.map((r) => '<td><input class="cell" size="3" maxlength="3" data-role="' + r + '" value="' + (row.cells[r] || '') + '" aria-label="' + escapeHtml(a.name) + ' · ' + roleName(r) + '"></td>').join('') +
        '<td><input type="checkbox" data-flag="self_approval" ' + (row.self_approval ? 'checked' : '') + ' aria-label="' + words.self_approval + '"></td>' +
        '<td><input type="checkbox" data-flag="advisory" ' + (row.advisory ? 'checked' : '') + ' aria-label="' + words.advisory + '"></td>' +
        '<td class="due">' + dueCell(row.signoff_due, a.name) + '</td>' +
        (offersForms ? '<td class="form-key">' + formCell(a, found) + '</td>' : '') +
        '<td class="scopes small">' + scopeCell(row) + '</td></tr>';
    }).join('');
    table.innerHTML = head + '<tbody>' + body + '</tbody>';
  }

  // Any process may use a general form: a new one, without forms of its own, too.
  const offersForms = data.form_keys.length > 0 || data.general_forms.length > 0;

  // A user task uses the form of its own id: a process form (code), or a general form
  // by its id's prefix (workflows/forms/general.py). A task with a process form shows it;
  // any other picks one, which renames the task (and moves its RACI row with it).
  function generalFormOf(id) {
    return data.general_forms.find((g) => id.startsWith(g.prefix) && id.length > g.prefix.length);
  }

  function formCell(a, found) {
    if (!a.user) return '';
    if (data.form_keys.includes(a.id)) return '<span title="' + escapeHtml(a.id) + '">' + words.own_form + '</span>';
    const taken = new Set(found.map((f) => f.id));
    const general = generalFormOf(a.id);
    const options = (general ? [] : ['<option value="">' + words.no_form + '</option>'])
      .concat(data.general_forms.map((g) => '<option value="general:' + g.prefix + '"' +
        (general === g ? ' selected' : '') + '>' + escapeHtml(g.label) + '</option>'))
      .concat(data.form_keys.filter((k) => !taken.has(k)).map((k) =>
        '<option value="own:' + k + '">' + escapeHtml(words.form_of + ' ' + (data.names[k] || k)) + '</option>'));
    return '<select data-form class="' + (general ? '' : 'no-form') + '" aria-label="' + words.form +
      ' · ' + escapeHtml(a.name) + '">' + options.join('') + '</select>';
  }

  // A role narrowed to the case's own person (the customer's BD) on this row: shown with
  // a × to lift it (a matrix-wide one stays), and a list to narrow another lettered role.
  function scopeCell(row) {
    const scopes = row.scopes || (row.scopes = {});
    const lettered = roles.filter((r) => (row.cells[r] || '').trim());
    const shown = Object.entries(scopes).filter(([r]) => lettered.includes(r)).map(([r, key]) =>
      '<span class="scope">' + escapeHtml(roleName(r) + ': ' + (data.scope_names[key] || key)) +
      (data.matrix_scopes[r] === key ? '' : ' <button type="button" class="link remove-scope" data-role="' +
        r + '" aria-label="' + words.lift_scope + ' ' + escapeHtml(roleName(r)) + '">×</button>') + '</span>');
    // Each scope is offered only for a role it can narrow (the customer's BD: bd).
    const narrows = (key, r) => !(data.scope_roles[key] || []).length || data.scope_roles[key].includes(r);
    const choices = lettered.filter((r) => !scopes[r]).flatMap((r) =>
      Object.entries(data.scope_names).filter(([key]) => narrows(key, r)).map(([key, name]) =>
        '<option value="' + r + '|' + key + '">' + escapeHtml(roleName(r) + ': ' + name) + '</option>'));
    if (choices.length) {
      shown.push('<select class="add-scope" aria-label="' + words.narrow + '"><option value="">' +
        words.narrow + '…</option>' + choices.join('') + '</select>');
    }
    return shown.join('<br>');
  }

  function freeId(prefix) {
    const registry = modeler.get('elementRegistry');
    let n = 1;
    while (registry.get(prefix + n)) n += 1;
    return prefix + n;
  }

  function useForm(oldId, choice) {
    const [kind, key] = choice.split(':');
    if (!key) return;
    const general = generalFormOf(oldId);
    if (kind === 'general' && general && general.prefix === key) return;
    const newId = kind === 'own' ? key : freeId(key);
    const element = modeler.get('elementRegistry').get(oldId);
    rows[newId] = Object.assign({}, rows[oldId], { activity: newId });
    delete rows[oldId];
    modeler.get('modeling').updateProperties(element, { id: newId });
  }

  // The sign-off due time as a count of days or hours (the matrix keeps ISO 8601: P2D,
  // PT4H); a time in other units is shown in hours, rounded up.
  function dueParts(iso) {
    const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso || '');
    if (!iso || !m) return { count: '', unit: 'D' };
    const [w, d, h, min, sec] = m.slice(1).map((x) => Number(x || 0));
    const hours = Math.ceil((w * 7 + d) * 24 + h + min / 60 + sec / 3600);
    return hours % 24 === 0 ? { count: hours / 24, unit: 'D' } : { count: hours, unit: 'H' };
  }

  function dueCell(iso, name) {
    const { count, unit } = dueParts(iso);
    return '<input type="number" min="1" max="999" class="due-count" value="' + count +
      '" aria-label="' + words.signoff_due + ' · ' + escapeHtml(name) + '">' +
      '<select class="due-unit" aria-label="' + words.unit + '">' +
      '<option value="D"' + (unit === 'D' ? ' selected' : '') + '>' + words.days + '</option>' +
      '<option value="H"' + (unit === 'H' ? ' selected' : '') + '>' + words.hours + '</option></select>';
  }

  function dueOf(cell) {
    const count = parseInt(cell.querySelector('.due-count').value, 10);
    if (!(count > 0)) return '';
    return cell.querySelector('.due-unit').value === 'D' ? 'P' + count + 'D' : 'PT' + count + 'H';
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  }

  document.getElementById('raci-grid').addEventListener('input', (event) => {
    const tr = event.target.closest('tr[data-activity]');
    if (!tr) return;
    const row = rows[tr.dataset.activity];
    if (event.target.dataset.role) {
      // Greek keys read as the letters on them (Ρ, Α, Ψ, Ι), as the server reads the cell.
      row.cells[event.target.dataset.role] = event.target.value.toUpperCase().trim()
        .replace(/[\u0391\u03a1\u03a8\u0399]/g, (c) => ({ '\u0391': 'A', '\u03a1': 'R', '\u03a8': 'C', '\u0399': 'I' }[c]));
      const cell = tr.querySelector('td.scopes');  // the roles one may narrow follow the letters
      if (cell) cell.innerHTML = scopeCell(row);
    }
    if (event.target.closest('td.due')) row.signoff_due = dueOf(event.target.closest('td.due'));
    else if (event.target.dataset.flag) row[event.target.dataset.flag] = event.target.checked;
  });
  document.getElementById('raci-grid').addEventListener('change', (event) => {
    const tr = event.target.closest('tr[data-activity]');
    if (tr && event.target.matches('select[data-form]')) useForm(tr.dataset.activity, event.target.value);
    if (tr && event.target.matches('select.add-scope') && event.target.value) {
      const [role, scope] = event.target.value.split('|');
      rows[tr.dataset.activity].scopes[role] = scope;
      renderGrid();
    }
  });
  document.getElementById('raci-grid').addEventListener('click', (event) => {
    const lift = event.target.closest('.remove-scope');
    if (lift) {
      delete rows[lift.closest('tr[data-activity]').dataset.activity].scopes[lift.dataset.role];
      changed();
      renderGrid();
      return;
    }
    const button = event.target.closest('.remove-role');
    if (!button) return;
    // The whole column goes, letters and all: asked first, and left unsaved until Save.
    const role = button.dataset.role;
    if (!window.confirm(words.confirm_remove_role.replace('%(role)s', roleName(role)))) return;
    roles = roles.filter((r) => r !== role);
    changed();
    renderGrid();
  });
  document.getElementById('add-role').addEventListener('change', (event) => {
    const role = event.target.value;
    if (role && !roles.includes(role)) roles.push(role);
    event.target.value = '';
    renderGrid();
  });

  // A decision table's name and column labels in the reader's words, written back as the
  // file has them (like the diagram's names); an output with no label shows its variable
  // in words, and that label is not saved.
  const dmnWords = data.dmn_words || { labels: {}, names: {} };
  const dmnOriginal = {};
  Object.entries(dmnWords.labels).forEach(([file, shown]) => { dmnOriginal[shown] = file; });
  let dmnAddedLabels = {};  // output id -> the label shown for its variable

  function dmnElements(doc) {
    return Array.from(doc.getElementsByTagNameNS('*', '*'))
      .filter((e) => ['decision', 'input', 'output'].includes(e.localName));
  }

  function dmnAnnotations(doc, words) {  // each rule's description, its text replaced
    Array.from(doc.getElementsByTagNameNS('*', 'description')).forEach((e) => {
      const said = e.textContent.trim();
      if (words[said]) e.textContent = words[said];
    });
  }

  function dmnShown(xml) {
    const doc = new DOMParser().parseFromString(xml, 'application/xml');
    dmnAddedLabels = {};
    dmnElements(doc).forEach((e) => {
      const attribute = e.localName === 'decision' ? 'name' : 'label';
      const said = e.getAttribute(attribute);
      if (said && dmnWords.labels[said]) e.setAttribute(attribute, dmnWords.labels[said]);
      const variable = e.getAttribute('name');
      if (e.localName === 'output' && !said && variable && dmnWords.names[variable]) {
        e.setAttribute('label', dmnWords.names[variable]);
        dmnAddedLabels[e.getAttribute('id')] = dmnWords.names[variable];
      }
    });
    dmnAnnotations(doc, dmnWords.labels);
    return new XMLSerializer().serializeToString(doc);
  }

  function dmnFileText(xml) {
    const doc = new DOMParser().parseFromString(xml, 'application/xml');
    dmnElements(doc).forEach((e) => {
      const attribute = e.localName === 'decision' ? 'name' : 'label';
      const shown = e.getAttribute(attribute);
      if (e.localName === 'output' && dmnAddedLabels[e.getAttribute('id')] === shown) {
        e.removeAttribute('label');
      } else if (shown && dmnOriginal[shown]) {
        e.setAttribute(attribute, dmnOriginal[shown]);
      }
    });
    dmnAnnotations(doc, dmnOriginal);
    return new XMLSerializer().serializeToString(doc);
  }

  async function showDmn(file) {
    await keepDmn();
    document.getElementById('canvas').hidden = true;
    const container = document.getElementById('dmn');
    container.hidden = false;
    if (!dmnModeler) {
      const translated = { additionalModules: [translateModule] };
      dmnModeler = new DmnJS({
        container: '#dmn', common: translated, decisionTable: translated, drd: translated,
      });
    }
    await dmnModeler.importXML(dmnShown(dmnFiles[file]));
    const table = dmnModeler.getViews().find((v) => v.type === 'decisionTable');
    if (table) await dmnModeler.open(table);
    dmnOpen = file;
  }

  async function keepDmn() {
    if (dmnModeler && dmnOpen) {
      const { xml } = await dmnModeler.saveXML({ format: true });
      dmnFiles[dmnOpen] = dmnFileText(xml);
    }
  }

  document.querySelectorAll('.modeler-tabs .tab').forEach((tab) => {
    tab.addEventListener('click', async () => {
      document.querySelectorAll('.modeler-tabs .tab').forEach((t) => {
        t.classList.toggle('active', t === tab);
        t.setAttribute('aria-selected', t === tab ? 'true' : 'false');
      });
      if (tab.dataset.tab === 'dmn') {
        await showDmn(tab.dataset.file);
      } else {
        await keepDmn();
        dmnOpen = null;
        document.getElementById('dmn').hidden = true;
        document.getElementById('canvas').hidden = false;
      }
    });
  });

  let marked = [];
  function showProblems(problems) {
    const list = document.getElementById('problems');
    const canvas = modeler.get('canvas');
    const registry = modeler.get('elementRegistry');
    marked.forEach((id) => { if (registry.get(id)) canvas.removeMarker(id, 'has-problem'); });
    marked = [];
    if (!problems.length) {
      list.innerHTML = '<li class="ok">' + words.no_problems + '</li>';
      return;
    }
    list.innerHTML = problems.map((p) => {
      const where = p.element_id ? (names[p.element_id] || p.element_id) : (p.file || '');
      return '<li class="' + p.severity + '" data-element="' + (p.element_id || '') + '"><strong>' +
        words[p.severity] + '</strong>' + (where ? ' · ' + escapeHtml(where) : '') + ': ' +
        escapeHtml(p.message) + '</li>';  // a problem of the whole process has no place
    }).join('');
    problems.forEach((p) => {
      if (p.element_id && registry.get(p.element_id)) {
        canvas.addMarker(p.element_id, 'has-problem');
        marked.push(p.element_id);
      }
    });
  }
  document.getElementById('problems').addEventListener('click', (event) => {
    const item = event.target.closest('li[data-element]');
    const element = item && modeler.get('elementRegistry').get(item.dataset.element);
    if (element) modeler.get('selection').select(element);
  });

  // The diagram shows each name in the reader's words and saves it in the file's own: a
  // name left as shown is written back as it was, one the owner typed as typed.
  function namesInReadersWords() {
    modeler.get('elementRegistry').forEach((e) => {
      const bo = e.businessObject;
      const shown = data.names[e.id];
      if (e.labelTarget || !bo || !bo.name || !shown || shown === bo.name) return;
      if (data.original_names[e.id] === bo.name) bo.name = shown;
    });
    modeler.get('eventBus').fire('elements.changed', { elements: modeler.get('elementRegistry').getAll() });
  }

  async function fileXml() {
    const kept = [];
    modeler.get('elementRegistry').forEach((e) => {
      const bo = e.businessObject;
      const original = data.original_names[e.id];
      if (e.labelTarget || !bo || !original || bo.name === original || bo.name !== data.names[e.id]) return;
      kept.push([bo, bo.name]);
      bo.name = original;
    });
    try {
      return (await modeler.saveXML({ format: true })).xml;
    } finally {
      kept.forEach(([bo, name]) => { bo.name = name; });
    }
  }

  // Work not saved yet: leaving the page (the back link, a reload, closing the tab) asks
  // first. Saving clears it; any change to the diagram, a table or the grid sets it.
  let unsaved = false;
  const changed = () => { unsaved = true; };
  ['input', 'change'].forEach((kind) => {
    document.getElementById('raci-grid').addEventListener(kind, changed);
    document.getElementById('dmn').addEventListener(kind, changed);
  });
  window.addEventListener('beforeunload', (event) => {
    if (!unsaved) return;
    event.preventDefault();
    event.returnValue = '';
  });

  async function save() {
    const state = document.getElementById('save-state');
    // A name still being typed on the diagram is part of what is saved.
    const editing = modeler.get('directEditing');
    if (editing.isActive()) editing.complete();
    await keepDmn();
    const xml = await fileXml();
    const grid = { roles: roles, rows: Object.values(rows).filter((r) => r.activity in names) };
    const answer = await fetch(script.dataset.save, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': script.dataset.csrf },
      // The edition this page holds: a save from another tab since is not overwritten.
      body: JSON.stringify({ bpmn: xml, dmn: dmnFiles, matrix: grid, edition: script.dataset.edition }),
    });
    const result = await answer.json();
    state.classList.toggle('error', !answer.ok);  // a refusal reads as one, not as a hint
    if (!answer.ok) {
      state.textContent = words.not_saved + ': ' + result.message;
      // The checks listed were of the draft as last saved, not of what the page holds.
      document.getElementById('problems').innerHTML = '<li class="error">' + words.unchecked + '</li>';
      state.scrollIntoView({ block: 'center' });
      return false;
    }
    state.textContent = words.saved;
    script.dataset.edition = result.edition;
    unsaved = false;
    showProblems(result.problems);
    return result;
  }
  document.getElementById('save').addEventListener('click', save);
  // Submitting saves first; a draft with errors stays here, its problems listed and the
  // comment kept, instead of being sent to be refused.
  // A draft another version overtook has no submit form (its page says why).
  document.querySelector('form.submit-draft')?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = await save();
    if (!result) return;
    if (result.problems.some((p) => p.severity === 'error')) {
      const state = document.getElementById('save-state');
      state.textContent = words.fix_first;
      state.classList.add('error');
      document.getElementById('problems').scrollIntoView({ block: 'center' });
      return;
    }
    event.target.submit();
  });
  // The checks as the draft stands, from the start (a page reloaded after a refusal too).
  fetch(script.dataset.validation).then((answer) => answer.ok ? answer.json() : null)
    .then((result) => { if (result) showProblems(result.problems); });

  // bpmnlint's findings as one draws, listed in the reader's words under the checks (the
  // server checks it all again on save); a click selects the element.
  modeler.on('linting.completed', ({ issues }) => {
    const registry = modeler.get('elementRegistry');
    const translate = translateModule.translate[1];
    document.getElementById('lint').innerHTML = Object.entries(issues).flatMap(([id, found]) => {
      const element = registry.get(id);
      const where = element ? shownName(element) : id;
      return found.map((issue) => '<li class="' + (issue.category === 'error' ? 'error' : 'warning') +
        '" data-element="' + escapeHtml(id) + '">' + escapeHtml(where) + ': ' +
        escapeHtml(translate(issue.message)) + '</li>');
    }).join('');
  });
  document.getElementById('lint').addEventListener('click', (event) => {
    const item = event.target.closest('li[data-element]');
    const element = item && modeler.get('elementRegistry').get(item.dataset.element);
    if (element) modeler.get('selection').select(element);
  });

  modeler.importXML(data.bpmn).then(() => {
    modeler.get('canvas').zoom('fit-viewport');
    namesInReadersWords();
    renderGrid();
    modeler.on('elements.changed', renderGrid);
    modeler.on('commandStack.changed', changed);  // the owner's own edits, not the import's
    // bpmn-js ends a name being typed only on a click in the drawing: one anywhere else
    // (the grid's row of that very task) ends it too, so the grid names it at once.
    document.addEventListener('pointerdown', (event) => {
      const editing = modeler.get('directEditing');
      if (editing.isActive() && !document.getElementById('canvas').contains(event.target)) {
        editing.complete();
      }
    }, true);
    window.raciflowModeler = modeler;  // for the browser test's drawing steps
    document.body.dataset.modelerReady = 'true';
  });
})();
