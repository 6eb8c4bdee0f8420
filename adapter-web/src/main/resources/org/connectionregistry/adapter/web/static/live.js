// The live page: one page of clients at a time (never the whole registry), kept current by the
// server's change stream. Client IDs are shown as text only (textContent), never as markup.
'use strict';

(() => {
  const LIMIT = 100;
  const $ = (id) => document.getElementById(id);

  const state = {
    token: sessionStorage.getItem('connreg-token') || '',
    prefix: '',        // the filter: client IDs that start with it
    after: null,       // this page starts after this client ID; null: at the first
    earlier: [],       // the `after` of every page before this one, for Previous
    rows: [],          // {id, status, revision, since}, in client-ID order
    more: false,       // more clients (matching the filter) follow the last row
    revision: 0,       // the page is current to this revision
    countsRevision: -1,
    generation: 0,     // every reload counts up; answers to an older one are dropped
    stream: null,      // aborts the change stream
  };

  class Refused extends Error {}

  function requestHeaders(extra) {
    const headers = Object.assign({}, extra);
    if (state.token) {
      headers.Authorization = 'Bearer ' + state.token;
    }
    return headers;
  }

  async function refusal(response) {
    const body = await response.json().catch(() => ({}));
    askForToken(body.error || 'The server refused access.', response.status === 401);
    return new Refused();
  }

  async function api(path) {
    const response = await fetch(path, { headers: requestHeaders({}), cache: 'no-store' });
    if (response.status === 401 || response.status === 403) {
      throw await refusal(response);
    }
    const body = await response.json().catch(() => ({ error: 'The server answered ' + response.status + '.' }));
    if (!response.ok) {
      throw new Error(body.error || 'The server answered ' + response.status + '.');
    }
    return body;
  }

  // ---- reading a page --------------------------------------------------------------------

  async function load() {
    const generation = ++state.generation;
    stopStream();
    const query = new URLSearchParams({ limit: String(LIMIT) });
    if (state.prefix) query.set('prefix', state.prefix);
    if (state.after !== null) query.set('after', state.after);
    let page;
    try {
      page = await api('/api/clients?' + query);
    } catch (e) {
      if (generation === state.generation) failed(e);
      return;
    }
    if (generation !== state.generation) return;
    state.rows = page.clients;
    state.more = page.more;
    state.revision = page.revision;
    state.countsRevision = -1;
    showCounts(page.counts);
    message('');
    render(new Set());
    follow(generation);
  }

  function failed(e) {
    live(false, 'not connected');
    if (!(e instanceof Refused)) message(e.message);
  }

  // ---- following changes -----------------------------------------------------------------

  function stopStream() {
    if (state.stream) {
      state.stream.abort();
      state.stream = null;
    }
  }

  // A fetch stream rather than EventSource: EventSource cannot send the Authorization header.
  async function follow(generation) {
    const controller = new AbortController();
    state.stream = controller;
    let delay = 500;
    while (generation === state.generation) {
      try {
        const response = await fetch('/api/changes?after=' + state.revision, {
          headers: requestHeaders({ Accept: 'text/event-stream', 'Last-Event-ID': String(state.revision) }),
          cache: 'no-store',
          signal: controller.signal,
        });
        if (response.status === 410) {
          // The changes this page needs are no longer kept: read the page again.
          load();
          return;
        }
        if (response.status === 401 || response.status === 403) {
          await refusal(response);
          return;
        }
        if (!response.ok) throw new Error('The change stream answered ' + response.status + '.');
        live(true, 'live');
        delay = 500;
        await readEvents(response.body, (event) => onEvent(event, generation));
      } catch (e) {
        if (controller.signal.aborted) return;
      }
      if (generation !== state.generation) return;
      live(false, 'reconnecting\u2026');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  }

  async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = { type: 'message', id: null, data: '' };
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let text = colon < 0 ? '' : line.slice(colon + 1);
          if (text.startsWith(' ')) text = text.slice(1);
          if (field === 'event') event.type = text;
          else if (field === 'id') event.id = text;
          else if (field === 'data') event.data += (event.data ? '\n' : '') + text;
        }
        if (event.data) onEvent(event);
      }
    }
  }

  function onEvent(event, generation) {
    if (generation !== state.generation) return;
    const data = JSON.parse(event.data);
    if (event.type === 'changes') {
      const fresh = new Set();
      data.changes.forEach((change) => apply(change, fresh));
      state.revision = Math.max(state.revision, Number(event.id));
      render(fresh);
    } else if (event.type === 'counts') {
      showCounts(data);
    } else if (event.type === 'progress') {
      state.revision = Math.max(state.revision, Number(event.id));
    } else if (event.type === 'reset') {
      load();
    }
  }

  // Whether a client belongs on this page: it matches the filter and sorts between the page's
  // start and its last row (or anywhere after the start, on the last page). JavaScript compares
  // strings by UTF-16 code units, as the server orders client IDs.
  function belongsHere(id) {
    if (!id.startsWith(state.prefix)) return false;
    if (state.after !== null && id <= state.after) return false;
    const rows = state.rows;
    return !(state.more && rows.length > 0 && id > rows[rows.length - 1].id);
  }

  function apply(change, fresh) {
    if (!belongsHere(change.id)) return;
    const rows = state.rows;
    let low = 0;
    let high = rows.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (rows[middle].id < change.id) low = middle + 1;
      else high = middle;
    }
    if (low < rows.length && rows[low].id === change.id) {
      // The page may already show this change (read after the revision it is current to).
      if (change.revision > rows[low].revision) {
        rows[low] = change;
        fresh.add(change.id);
      }
      return;
    }
    rows.splice(low, 0, change);
    fresh.add(change.id);
    if (rows.length > LIMIT) {
      rows.pop();
      state.more = true;
    }
  }

  // ---- showing ---------------------------------------------------------------------------

  function pad(n) {
    return String(n).padStart(2, '0');
  }

  function when(millis) {
    const at = new Date(millis);
    const time = pad(at.getHours()) + ':' + pad(at.getMinutes()) + ':' + pad(at.getSeconds());
    const today = new Date();
    if (at.toDateString() === today.toDateString()) return time;
    return at.getFullYear() + '-' + pad(at.getMonth() + 1) + '-' + pad(at.getDate()) + ' ' + time;
  }

  function row(client, fresh) {
    const tr = document.createElement('tr');
    tr.dataset.clientId = client.id;
    if (fresh) tr.className = 'fresh';
    const id = document.createElement('td');
    id.className = 'id';
    id.textContent = client.id;
    const status = document.createElement('td');
    const word = document.createElement('span');
    word.className = 'status ' + (client.status === 'connected' ? 'connected' : 'disconnected');
    word.textContent = client.status;
    status.appendChild(word);
    if (client.since !== undefined) {
      const since = document.createElement('span');
      since.className = 'since';
      since.appendChild(document.createTextNode(' since '));
      const time = document.createElement('time');
      time.dateTime = new Date(client.since).toISOString();
      time.title = new Date(client.since).toString();
      time.textContent = when(client.since);
      since.appendChild(time);
      status.appendChild(since);
    }
    tr.append(id, status);
    return tr;
  }

  function render(fresh) {
    const body = $('rows');
    const rows = document.createDocumentFragment();
    state.rows.forEach((client) => rows.appendChild(row(client, fresh.has(client.id))));
    body.replaceChildren(rows);
    const page = state.earlier.length + 1;
    $('position').textContent =
      state.rows.length === 0
        ? (state.prefix ? 'No client ID starts with \u201c' + state.prefix + '\u201d' : 'No clients yet')
        : 'Page ' + page + ': ' + state.rows.length + (state.rows.length === 1 ? ' client' : ' clients');
    $('first').disabled = state.after === null;
    $('previous').disabled = state.after === null;
    $('next').disabled = !state.more;
    if (state.rows.length > 0 && !document.documentElement.dataset.firstRowsMs) {
      document.documentElement.dataset.firstRowsMs = String(Math.round(performance.now()));
    }
  }

  function showCounts(counts) {
    if (counts.revision < state.countsRevision) return;
    state.countsRevision = counts.revision;
    const number = (n) => Number(n).toLocaleString('en-US');
    $('connected').textContent = number(counts.connected);
    $('disconnected').textContent = number(counts.disconnected);
    $('total').textContent = number(counts.total);
  }

  function live(on, text) {
    const badge = $('live');
    badge.className = 'live ' + (on ? 'on' : 'off');
    badge.textContent = text;
  }

  function message(text) {
    $('message').textContent = text;
  }

  function askForToken(reason, authenticate) {
    live(false, 'not connected');
    $('token-reason').textContent = authenticate
      ? reason + ' Paste a bearer token (JWT) that this server accepts; it is kept in this tab only.'
      : reason;
    $('token-form').hidden = false;
    $('token').focus();
  }

  // ---- controls --------------------------------------------------------------------------

  function restart() {
    state.after = null;
    state.earlier = [];
    load();
  }

  let typing = null;
  $('filter').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      const prefix = $('filter').value.trim();
      if (prefix !== state.prefix) {
        state.prefix = prefix;
        restart();
      }
    }, 200);
  });
  $('first').addEventListener('click', restart);
  $('previous').addEventListener('click', () => {
    state.after = state.earlier.length > 0 ? state.earlier.pop() : null;
    load();
  });
  $('next').addEventListener('click', () => {
    if (!state.more || state.rows.length === 0) return;
    state.earlier.push(state.after);
    state.after = state.rows[state.rows.length - 1].id;
    load();
  });
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.token = $('token').value.trim();
    sessionStorage.setItem('connreg-token', state.token);
    $('token').value = '';
    $('token-form').hidden = true;
    load();
  });

  load();
})();
