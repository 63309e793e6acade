// The live page: lists one type's entities over REST, then follows the change feed over the WebSocket
// from the cursor the list returned. Every change carries the entity's version, and a row only ever
// moves to a greater version, so a change seen both in the list and on the feed is applied once.
// On a resync or a dropped socket it reconnects and subscribes again after the last seq it applied:
// no gap, no duplicate. Plain JavaScript, no build step.
// Credentials: the page needs an API key with <type>:read. It takes it from the address's fragment
// (#key=..., which browsers never send to a server, and which the page then removes from the address) or
// from the key field, keeps it in this tab's sessionStorage, sends it as X-Api-Key on reads, and trades
// it for a one-minute stream ticket (POST /v1/stream-tickets) each time it opens the WebSocket, which
// cannot carry headers. The key itself never appears in a URL the server sees.
(function () {
  'use strict';

  var params = new URLSearchParams(window.location.search);
  var type = params.get('type') || 'customer';
  var FIXED = ['id', 'version', 'writer', 'deleted'];
  var MAX_DATA_COLUMNS = 4;

  var rowsById = new Map();     // entity id -> <tr>
  var dataColumns = null;       // chosen from the first entity with data
  var cursor = 0;               // last change_seq applied
  var store = null;             // the store the cursor belongs to (from the listing)
  var socket = null;
  var retryMs = 500;
  var resetting = false;        // the server said reset: relist before subscribing again

  var el = function (id) { return document.getElementById(id); };

  var KEY_STORAGE = 'concord.apiKey';
  var fragmentKey = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('key');
  if (fragmentKey) {
    sessionStorage.setItem(KEY_STORAGE, fragmentKey);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  var apiKey = sessionStorage.getItem(KEY_STORAGE) || '';
  el('key-input').value = apiKey ? '********' : '';
  el('key').addEventListener('submit', function (event) {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, el('key-input').value.trim());
    window.location.reload();
  });

  function authorized(url, options) {
    var init = options || {};
    init.headers = Object.assign({'X-Api-Key': apiKey}, init.headers || {});
    return fetch(url, init).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        return response.json().then(function (problem) {
          throw new Error((response.status === 401 ? 'API key refused: ' : 'not allowed: ') + (problem.detail || response.status));
        });
      }
      return response;
    });
  }
  el('type').textContent = type;
  el('type-input').value = type;
  el('switch').addEventListener('submit', function (event) {
    event.preventDefault();
    window.location.search = '?type=' + encodeURIComponent(el('type-input').value.trim());
  });

  function setState(text, cls) {
    var state = el('state');
    state.textContent = text;
    state.className = 'state ' + (cls || '');
  }

  function setCursor(seq) {
    if (seq > cursor) {
      cursor = seq;
      el('cursor').textContent = String(cursor);
    }
  }

  function chooseColumns(data) {
    if (dataColumns !== null || !data) {
      return;
    }
    dataColumns = Object.keys(data).filter(function (key) {
      var value = data[key];
      return value === null || typeof value !== 'object';
    }).slice(0, MAX_DATA_COLUMNS);
    var head = el('head');
    head.textContent = '';
    FIXED.concat(dataColumns).forEach(function (name) {
      var th = document.createElement('th');
      th.textContent = name;
      head.appendChild(th);
    });
    rowsById.forEach(function (tr) { render(tr, tr._entity); });
  }

  function cell(tr, cls, text) {
    var td = tr.querySelector('td.' + cls);
    if (!td) {
      td = document.createElement('td');
      td.className = cls;
      tr.appendChild(td);
    }
    td.textContent = text === null || text === undefined ? '' : String(text);
  }

  function render(tr, entity) {
    tr._entity = entity;
    tr.className = entity.deleted ? 'deleted' : '';
    cell(tr, 'id', entity.id);
    cell(tr, 'version', entity.version);
    cell(tr, 'writer', entity.writer);
    cell(tr, 'deleted', entity.deleted ? 'yes' : 'no');
    (dataColumns || []).forEach(function (name) {
      cell(tr, 'data-' + name, entity.data ? entity.data[name] : '');
    });
  }

  // Applies an entity state if it is newer than the row shown; returns whether it did.
  function apply(entity, flash) {
    chooseColumns(entity.data);
    var tr = rowsById.get(entity.id);
    if (tr && tr._entity.version >= entity.version) {
      return false;
    }
    if (!tr) {
      tr = document.createElement('tr');
      tr.setAttribute('data-id', entity.id);
      rowsById.set(entity.id, tr);
      insertSorted(tr, entity.id);
      el('count').textContent = String(rowsById.size);
    }
    render(tr, entity);
    tr.setAttribute('data-version', String(entity.version));
    if (flash) {
      tr.classList.remove('flash');
      void tr.offsetWidth; // restart the animation
      tr.classList.add('flash');
    }
    return true;
  }

  function insertSorted(tr, id) {
    var body = el('rows');
    var after = null;
    for (var i = 0; i < body.children.length; i++) {
      if (body.children[i].getAttribute('data-id') > id) {
        after = body.children[i];
        break;
      }
    }
    body.insertBefore(tr, after);
  }

  function load(afterId, first) {
    var url = '/v1/entities/' + encodeURIComponent(type) + '?deleted=true&limit=500'
      + (afterId ? '&after=' + encodeURIComponent(afterId) : '');
    return authorized(url).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (problem) { throw new Error(problem.detail || response.status); });
      }
      return response.json();
    }).then(function (page) {
      if (first) {
        setCursor(page.changeSeq); // follow the feed from the head as it was before the first page
        store = page.store;
      }
      // A type with no entities yet lists none: the page still follows the feed (and says so).
      (page.entities || []).forEach(function (entity) { apply(entity, false); });
      el('count').textContent = String(rowsById.size);
      return page.next ? load(page.next, false) : null;
    });
  }

  function reconnectLater() {
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  }

  function connect() {
    authorized('/v1/stream-tickets', {method: 'POST'})
      .then(function (response) { return response.json(); })
      .then(function (issued) { open(issued.ticket); })
      .catch(function (error) {
        setState('reconnecting: ' + error.message, 'down');
        reconnectLater();
      });
  }

  function open(ticket) {
    var scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
    socket = new WebSocket(scheme + window.location.host + '/v1/changes/ws?ticket=' + encodeURIComponent(ticket));
    socket.onopen = function () {
      socket.send(JSON.stringify({subscribe: {types: [type], after: cursor, store: store, conflicts: showConflicts}}));
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === 'subscribed') {
        retryMs = 500;
        setState('live', 'live');
      } else if (message.type === 'change') {
        apply(message.change, true);
        setCursor(message.change.seq);
      } else if (message.type === 'conflict') {
        noteConflict(message.conflict);
      } else if (message.type === 'resync') {
        setState('catching up', '');
        setCursor(message.after);
      } else if (message.type === 'reset') {
        // The replica cannot resume after our cursor without a gap: start over from a fresh listing.
        setState('reloading', '');
        resetting = true;
      } else if (message.type === 'error') {
        setState('error: ' + message.detail, 'down');
      }
    };
    socket.onclose = function () {
      if (resetting) {
        resetting = false;
        relist();
        return;
      }
      setState('reconnecting', 'down');
      reconnectLater();
    };
  }

  // Opt-in: "your edit to tier lost to writer X at 12:03:04", for the writes to this type's entities that lose.
  var CONFLICTS_STORAGE = 'concord.showConflicts';
  var showConflicts = sessionStorage.getItem(CONFLICTS_STORAGE) === 'true';
  el('show-conflicts').checked = showConflicts;
  el('show-conflicts').addEventListener('change', function () {
    sessionStorage.setItem(CONFLICTS_STORAGE, String(el('show-conflicts').checked));
    window.location.reload();
  });

  function noteConflict(conflict) {
    var li = document.createElement('li');
    var when = new Date(conflict.decidedAt).toLocaleTimeString();
    var what = conflict.outcome === 'superseded' ? 'the whole write' : 'fields ' + conflict.lostFields.join(', ');
    li.textContent = when + ': write ' + conflict.eventId + ' to ' + conflict.entityId + ' lost ' + what
      + ' to writer ' + conflict.winner.writer + ' (' + conflict.rule + ')';
    var list = el('conflicts');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 50) {
      list.removeChild(list.lastChild);
    }
  }

  function relist() {
    rowsById.clear();
    el('rows').textContent = '';
    cursor = 0;
    load(null, true).then(connect).catch(function (error) {
      setState('cannot load: ' + error.message, 'down');
    });
  }

  if (!apiKey) {
    setState('enter an API key with ' + type + ':read', 'down');
    return;
  }
  relist();
}());
