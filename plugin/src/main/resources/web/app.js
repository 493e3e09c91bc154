// The captions page: lists live calls (GET /v1/calls) and shows one call's captions from its WebSocket
// (/v1/calls/{id}/captions?token=...). Partials are grey and replaced in place; finals are black.
(function () {
  'use strict';
  const callsEl = document.getElementById('calls');
  const noCallsEl = document.getElementById('no-calls');
  const captionsEl = document.getElementById('captions');
  const titleEl = document.getElementById('call-title');
  const callStatusEl = document.getElementById('call-status');
  const serverStatusEl = document.getElementById('server-status');
  const keyForm = document.getElementById('key-form');
  const keyInput = document.getElementById('key-input');

  let apiKey = sessionStorage.getItem('asr-api-key') || '';
  let selected = new URLSearchParams(location.search).get('call');
  let socket = null;
  let socketCall = null;
  const lines = new Map();  // participant + utteranceId -> line element

  keyForm.addEventListener('submit', function (e) {
    e.preventDefault();
    apiKey = keyInput.value.trim();
    sessionStorage.setItem('asr-api-key', apiKey);
    refresh();
  });

  function refresh() {
    const headers = apiKey ? { 'Authorization': 'Bearer ' + apiKey } : {};
    fetch('/v1/calls', { headers: headers, cache: 'no-store' }).then(function (r) {
      if (r.status === 401) {
        keyForm.hidden = false;
        noCallsEl.hidden = true;  // nothing is known about the calls until a key opens the list
        serverStatusEl.textContent = 'enter the server\'s API key to see its calls';
        return null;
      }
      keyForm.hidden = true;
      return r.json();
    }).then(function (body) {
      if (!body) return;
      serverStatusEl.textContent = '';
      showCalls(body.calls || []);
    }).catch(function () {
      serverStatusEl.textContent = 'server unreachable';
    });
  }

  function showCalls(calls) {
    callsEl.textContent = '';
    noCallsEl.hidden = calls.length > 0;
    calls.forEach(function (c) {
      const li = document.createElement('li');
      li.dataset.callId = c.callId;
      if (c.callId === selected) li.classList.add('selected');
      const name = document.createElement('div');
      name.className = 'call-id';
      name.textContent = c.callId;
      const meta = document.createElement('div');
      meta.className = 'meta';
      const who = (c.participants || []).map(function (p) { return p.name; }).join(', ');
      meta.textContent = c.source + ' · since ' + new Date(c.startedAt).toLocaleTimeString()
        + (who ? ' · ' + who : '');
      li.appendChild(name);
      li.appendChild(meta);
      li.addEventListener('click', function () { open(c); });
      callsEl.appendChild(li);
      if (c.callId === selected && socketCall !== c.callId) open(c);
    });
  }

  function open(call) {
    selected = call.callId;
    history.replaceState(null, '', '?call=' + encodeURIComponent(call.callId));
    Array.prototype.forEach.call(callsEl.children, function (li) {
      li.classList.toggle('selected', li.dataset.callId === call.callId);
    });
    if (socket) socket.close(1000, 'switching call');
    captionsEl.textContent = '';
    lines.clear();
    titleEl.textContent = 'Call ' + call.callId;
    callStatusEl.textContent = 'connecting…';
    socketCall = call.callId;
    // This server serves every call's captions, those held by other cluster nodes too (relayed): connect here.
    const given = new URL(call.captionsUrl);
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + given.pathname
        + given.search);
    socket = ws;
    ws.onopen = function () { if (socket === ws) callStatusEl.textContent = 'live'; };
    ws.onmessage = function (m) { if (socket === ws) show(JSON.parse(m.data)); };
    ws.onclose = function (e) {
      if (socket !== ws) return;
      callStatusEl.textContent = 'disconnected' + (e.reason ? ': ' + e.reason : '');
      socket = null;
    };
  }

  function show(ev) {
    if (ev.type === 'ended') {
      callStatusEl.textContent = 'call ended (' + ev.reason + ')';
      return;
    }
    if (ev.type !== 'partial' && ev.type !== 'final') return;
    const key = ev.participant + '\u0000' + ev.utteranceId;
    let line = lines.get(key);
    if (!line) {
      line = document.createElement('div');
      const speaker = document.createElement('span');
      speaker.className = 'speaker';
      const text = document.createElement('span');
      text.className = 'text';
      line.appendChild(speaker);
      line.appendChild(text);
      captionsEl.appendChild(line);
      lines.set(key, line);
    }
    line.className = 'line ' + ev.type + (ev.history ? ' history' : '');
    line.dataset.participant = ev.participant;
    line.querySelector('.speaker').textContent = (ev.name || ev.participant) + ':';
    line.querySelector('.text').textContent = ev.text;
    if (ev.type === 'final') {
      lines.delete(key);
      if (!ev.text) line.remove();
    }
    line.scrollIntoView({ block: 'end' });
  }

  Array.prototype.forEach.call(document.querySelectorAll('.origin'), function (el) {
    el.textContent = location.origin;
  });
  refresh();
  setInterval(refresh, 2000);
})();
