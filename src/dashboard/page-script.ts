/**
 * The dashboard's browser code: plain JavaScript, no build step. It renders
 * the runs list and a workflow's tree from the JSON API (polling while the
 * workflow runs) and posts the actions. Text is always set with
 * `textContent`, never parsed as HTML.
 */
export const PAGE_SCRIPT = String.raw`'use strict';
(function () {
  var STATUSES = ['pending', 'running', 'waiting', 'paused', 'compensating', 'completed', 'failed', 'cancelled', 'compensated', 'compensation_failed'];
  var TERMINAL = ['completed', 'failed', 'cancelled', 'compensated', 'compensation_failed'];
  var KIND = { activity: 'Activity', sideEffect: 'SideEffect', saga: 'Saga' };
  var app = document.getElementById('app');
  var filters = { status: '', name: '', queue: '', limit: 50, offset: 0 };
  var timer = null;
  var generation = 0;

  if (location.search.indexOf('token=') >= 0) history.replaceState(null, '', location.pathname + location.hash);

  function h(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (attrs[key] === undefined || attrs[key] === null || attrs[key] === false) continue;
      if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), attrs[key]);
      else if (key === 'text') node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key] === true ? '' : String(attrs[key]));
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  function badge(status, testid) { return h('span', { class: 'status ' + status, 'data-testid': testid, text: status }); }
  function join(parts) { return parts.filter(function (p) { return p !== undefined && p !== null && p !== ''; }).join(' · '); }
  function ms(value) { return typeof value === 'number' ? value + ' ms' : undefined; }
  function when(iso) { return iso ? new Date(iso).toLocaleString() : ''; }
  function errorText(error) {
    var inner = error;
    while (inner && inner.cause && typeof inner.cause === 'object') inner = inner.cause;
    return inner ? inner.name + ': ' + inner.message : '';
  }
  function json(value) { return JSON.stringify(value, null, 2); }

  function api(path, options) {
    var init = { credentials: 'same-origin', headers: {} };
    if (options && options.body !== undefined) {
      init.method = 'POST';
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    return fetch(path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error((body.error && body.error.message) || ('HTTP ' + response.status));
        return body;
      });
    });
  }

  function schedule(fn, delay) {
    clearTimeout(timer);
    timer = setTimeout(fn, delay);
  }

  function route() {
    generation += 1;
    clearTimeout(timer);
    var match = /^#\/workflow\/(.+)$/.exec(location.hash);
    if (match) showWorkflow(decodeURIComponent(match[1]), generation);
    else showList(generation);
  }

  // ---- runs list ----
  function showList(gen) {
    var status = h('select', { name: 'status', 'data-testid': 'filter-status' }, h('option', { value: '', text: 'any status' }), STATUSES.map(function (s) { return h('option', { value: s, text: s, selected: filters.status === s }); }));
    var name = h('input', { name: 'name', placeholder: 'durable name', value: filters.name, 'data-testid': 'filter-name' });
    var queue = h('input', { name: 'queue', placeholder: 'queue', value: filters.queue, 'data-testid': 'filter-queue' });
    var apply = function () {
      filters.status = status.value; filters.name = name.value.trim(); filters.queue = queue.value.trim(); filters.offset = 0;
      load();
    };
    [name, queue].forEach(function (input) { input.addEventListener('keydown', function (e) { if (e.key === 'Enter') apply(); }); });
    status.addEventListener('change', apply);
    var body = h('tbody');
    var info = h('span', { class: 'muted' });
    var prev = h('button', { type: 'button', text: '‹ newer', onclick: function () { filters.offset = Math.max(0, filters.offset - filters.limit); load(); } });
    var next = h('button', { type: 'button', text: 'older ›', onclick: function () { filters.offset += filters.limit; load(); } });
    var message = h('p', { class: 'message error' });
    app.replaceChildren(
      h('h1', { text: 'Workflows' }),
      h('div', { class: 'filters', role: 'search' },
        h('label', {}, 'Status', status), h('label', {}, 'Name', name), h('label', {}, 'Queue', queue),
        h('button', { type: 'button', text: 'Apply', onclick: apply })),
      h('table', {}, h('thead', {}, h('tr', {}, ['Workflow id', 'Name', 'Status', 'Queue', 'Created', 'Updated'].map(function (t) { return h('th', { text: t }); }))), body),
      h('div', { class: 'pager' }, prev, next, info),
      message);

    function load() {
      var query = new URLSearchParams({ limit: String(filters.limit), offset: String(filters.offset) });
      if (filters.status) query.set('status', filters.status);
      if (filters.name) query.set('name', filters.name);
      if (filters.queue) query.set('queue', filters.queue);
      api('/api/workflows?' + query.toString()).then(function (data) {
        if (gen !== generation) return;
        message.textContent = '';
        body.replaceChildren.apply(body, data.workflows.map(function (w) {
          var link = h('a', { href: '#/workflow/' + encodeURIComponent(w.workflowId), text: w.workflowId, 'data-testid': 'run-link' });
          return h('tr', { 'data-testid': 'run-row', 'data-workflow-id': w.workflowId },
            h('td', { class: 'id' }, link), h('td', { text: w.name }), h('td', {}, badge(w.status, 'run-status')),
            h('td', { text: w.queue }), h('td', { text: when(w.createdAt) }), h('td', { text: when(w.updatedAt) }));
        }));
        if (data.workflows.length === 0) body.replaceChildren(h('tr', {}, h('td', { colspan: 6, class: 'muted', text: 'No workflows match.' })));
        info.textContent = data.workflows.length ? 'rows ' + (filters.offset + 1) + '–' + (filters.offset + data.workflows.length) : '';
        prev.disabled = filters.offset === 0;
        next.disabled = data.workflows.length < filters.limit;
        schedule(load, 3000);
      }, function (error) {
        if (gen !== generation) return;
        message.textContent = error.message;
        schedule(load, 5000);
      });
    }
    load();
  }

  // ---- one workflow ----
  function showWorkflow(id, gen) {
    var title = h('h1', {}, 'Workflow ', h('span', { class: 'step-id', text: id }));
    var head = h('div', { class: 'card' }, h('p', { class: 'muted', text: 'Loading…' }));
    var message = h('p', { class: 'message', 'data-testid': 'message' });
    var buttons = {};
    ['retry', 'cancel', 'pause', 'resume'].forEach(function (action) {
      buttons[action] = h('button', { type: 'button', 'data-action': action, text: action[0].toUpperCase() + action.slice(1), onclick: function () { act(action, {}); } });
    });
    var signalName = h('input', { placeholder: 'signal name', 'data-testid': 'signal-name' });
    var signalPayload = h('input', { placeholder: 'JSON payload, e.g. {"by":"ana"}', size: 28, 'data-testid': 'signal-payload' });
    var sendSignal = h('button', { type: 'button', 'data-action': 'signal', text: 'Send signal', onclick: function () {
      var payload = null;
      if (signalPayload.value.trim()) {
        try { payload = JSON.parse(signalPayload.value); } catch (e) { say('The payload is not valid JSON: ' + e.message, true); return; }
      }
      act('signal', { name: signalName.value.trim(), payload: payload });
    } });
    var tree = h('ul', { class: 'tree', 'data-testid': 'tree' });
    app.replaceChildren(
      h('p', {}, h('a', { href: '#/', text: '‹ all workflows' })), title, head,
      h('div', { class: 'card' },
        h('div', { class: 'actions' }, buttons.retry, buttons.cancel, buttons.pause, buttons.resume,
          h('span', { class: 'signal' }, signalName, signalPayload, sendSignal)),
        message),
      h('div', { class: 'card' }, h('h2', { text: 'Run' }), tree));

    function say(text, isError) {
      message.textContent = text;
      message.className = 'message' + (isError ? ' error' : '');
    }
    function act(action, body) {
      Object.keys(buttons).forEach(function (k) { buttons[k].disabled = true; });
      api('/api/workflows/' + encodeURIComponent(id) + '/' + action, { body: body }).then(function (result) {
        say(action + ': done, the workflow is now ' + result.status + '.', false);
        load();
      }, function (error) {
        say(action + ' failed: ' + error.message, true);
        load();
      });
    }
    function load() {
      api('/api/workflows/' + encodeURIComponent(id)).then(function (data) {
        if (gen !== generation) return;
        var d = data.description;
        var p = data.progress;
        var progress = [p.stepsDone + '/' + p.stepsSeen + ' steps done'];
        if (p.current.length) progress.push('now ' + p.current.join(', '));
        if (p.waitingFor) progress.push('waiting for ' + p.waitingFor);
        if (p.children.total) progress.push(p.children.finished + '/' + p.children.total + ' child workflows finished');
        head.replaceChildren.apply(head, [
          h('p', {}, h('strong', { text: d.name }), ' ', badge(d.status, 'workflow-status'), ' ', h('span', { class: 'muted', text: 'queue ' + d.queue })),
          h('p', { 'data-testid': 'progress', text: progress.join(' · ') })].concat(payloads(d, 'workflow')));
        var terminal = TERMINAL.indexOf(d.status) >= 0;
        buttons.retry.disabled = d.status !== 'failed' && d.status !== 'compensation_failed';
        buttons.cancel.disabled = terminal;
        buttons.pause.disabled = terminal || d.status === 'paused' || d.status === 'compensating';
        buttons.resume.disabled = d.status !== 'paused';
        sendSignal.disabled = terminal;
        tree.replaceChildren(h('li', {}, 'Run ', h('span', { class: 'step-id', text: d.run.id }), ' · ', badge(d.run.status), h('ul', {}, workflowNode(d))));
        schedule(load, terminal ? 4000 : 1000);
      }, function (error) {
        if (gen !== generation) return;
        head.replaceChildren(h('p', { class: 'error-text', text: error.message }));
        schedule(load, 5000);
      });
    }
    load();
  }

  function payloads(item, testid) {
    var parts = [];
    if (item.input !== undefined) parts.push(h('details', {}, h('summary', { text: 'input' }), h('pre', { text: json(item.input) })));
    if (item.output !== undefined) parts.push(h('details', { open: true }, h('summary', { text: 'output' }), h('pre', { 'data-testid': testid ? testid + '-output' : undefined, text: json(item.output) })));
    if (item.error !== undefined) parts.push(h('details', { open: true }, h('summary', { class: 'error-text', text: 'error: ' + errorText(item.error) }), h('pre', { text: json(item.error) })));
    if (item.compensationError !== undefined) parts.push(h('details', {}, h('summary', { class: 'error-text', text: 'compensation error: ' + errorText(item.compensationError) }), h('pre', { text: json(item.compensationError) })));
    return parts;
  }

  function workflowNode(w) {
    var executions = w.executions.map(function (e) {
      var steps = w.steps.map(function (step) {
        return { step: step, attempts: step.executions.filter(function (a) { return a.workflowExecutionId === e.id; }) };
      }).filter(function (entry) { return entry.attempts.length > 0; }).sort(function (a, b) {
        return Date.parse(a.attempts[0].startedAt) - Date.parse(b.attempts[0].startedAt);
      });
      return h('li', { 'data-testid': 'execution' },
        h('span', { class: 'kind', text: 'Execution #' + e.number }), ' · ' + e.reason + ' · ', badge(e.status),
        ' ' + join([ms(e.durationMs)]), e.error ? h('span', { class: 'error-text', text: ' · ' + errorText(e.error) }) : null,
        h('ul', {}, steps.map(function (entry) { return stepNode(entry.step, entry.attempts); })));
    });
    var waits = (w.timers || []).map(function (t) {
      return h('li', {}, h('span', { class: 'kind', text: t.kind === 'sleep' ? 'Sleep ' : 'Signal deadline ' }), h('span', { class: 'step-id', text: t.stepId }), ' · ', badge(t.status), ' · ' + (t.status === 'pending' ? 'wakes ' : 'woke ') + when(t.wakeAt));
    }).concat((w.signals || []).map(function (s) {
      return h('li', {}, h('span', { class: 'kind', text: 'Signal ' }), '"' + s.name + '" · ' + (s.consumedBy ? 'received by ' + s.consumedBy : 'buffered') + ' · sent ' + when(s.sentAt),
        s.payload !== undefined ? h('details', {}, h('summary', { text: 'payload' }), h('pre', { text: json(s.payload) })) : null);
    }));
    return h('li', { 'data-testid': 'workflow-node', 'data-workflow-id': w.workflowId },
      h('span', { class: 'kind', text: 'Workflow ' }), h('span', { class: 'step-id', text: w.workflowId }), ' · ' + w.name + ' · ', badge(w.status),
      w.generation > 0 ? ' · generation ' + w.generation : '',
      w.parentId ? payloads(w) : null,
      h('ul', {}, executions, waits, w.children.map(workflowNode)));
  }

  function stepNode(step, attempts) {
    var transactions = step.executions.filter(function (a) { return a.kind !== 'compensation'; }).length;
    var compensations = step.executions.length - transactions;
    var counts = step.kind === 'sideEffect' ? '' : transactions + ' attempt' + (transactions === 1 ? '' : 's') + (compensations ? ', ' + compensations + ' compensation attempt' + (compensations === 1 ? '' : 's') : '');
    return h('li', { 'data-testid': 'step', 'data-step-id': step.stepId },
      h('span', { class: 'kind', text: (KIND[step.kind] || step.kind) + ' ' }), h('span', { class: 'step-id', text: step.stepId }), ' · ', badge(step.status, 'step-status'),
      counts ? ' · ' + counts : '',
      h('details', {}, h('summary', { text: 'input / output / errors' }), payloads(step)),
      h('ul', {}, attempts.map(function (a) {
        return h('li', {}, (a.kind === 'compensation' ? 'compensation ' : 'attempt ') + a.attempt + ' · ', badge(a.status), ' ' + join([ms(a.durationMs)]),
          a.error ? h('span', { class: 'error-text', text: ' · ' + errorText(a.error) }) : null);
      })));
  }

  window.addEventListener('hashchange', route);
  route();
})();
`;
