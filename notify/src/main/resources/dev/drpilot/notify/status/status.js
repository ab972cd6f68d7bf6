// Re-renders the status page from /api/status every few seconds, in place (no reload).
// Mirrors StatusPage.java: the same ids, classes and texts. Everything from the server is set as
// text (textContent), never as markup, so names and summaries cannot inject HTML.
(function () {
  'use strict';
  var REFRESH_MS = 2000;
  var TIMEOUT_MS = 5000;
  var NONE = '\u2014';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text === null ? NONE : text; }
    return e;
  }

  function token(text) {
    return String(text === null || text === undefined ? '' : text).toLowerCase().replace(/[^a-z0-9-]/g, '-');
  }

  function empty(columns, text) {
    var tr = el('tr', 'empty');
    var td = el('td', null, text);
    td.colSpan = columns;
    tr.appendChild(td);
    return tr;
  }

  function where(row) {
    var text = row.kind;
    if (row.cluster !== null) {
      text += ' \u00b7 cluster ' + row.cluster + (row.nodes.length ? ': ' + row.nodes.join(', ') : '');
    }
    return text;
  }

  function componentRow(row) {
    var tr = el('tr', 'component state-' + token(row.state));
    tr.setAttribute('data-component', row.name);
    var name = el('td', 'name');
    name.appendChild(el('strong', null, row.name));
    name.appendChild(el('div', 'sub', where(row)));
    tr.appendChild(name);
    var state = el('td', 'state');
    state.appendChild(el('span', 'badge', row.state));
    state.appendChild(el('div', 'sub reasons', row.reasons.join('; ')));
    tr.appendChild(state);
    tr.appendChild(el('td', 'rto', row.rtoText));
    tr.appendChild(el('td', 'rpo', row.rpoText));
    var lag = el('td', 'lag');
    if (!row.replicas.length) { lag.textContent = NONE; }
    row.replicas.forEach(function (replica) {
      var div = el('div', 'replica', replica.lagText);
      div.setAttribute('data-node', replica.node);
      lag.appendChild(div);
    });
    tr.appendChild(lag);
    tr.appendChild(el('td', 'recovery-point', row.recoveryPointAgeText));
    tr.appendChild(el('td', 'last-good', row.lastGoodBackupText));
    tr.appendChild(el('td', 'last-failed', row.lastFailedBackupText));
    return tr;
  }

  function safeLink(url) {
    if (!url) { return null; }
    var lower = url.trim().toLowerCase();
    return lower.indexOf('https://') === 0 || lower.indexOf('http://') === 0 ? url.trim() : null;
  }

  function alertRow(alert) {
    var tr = el('tr', 'alert sev-' + token(alert.severity) + (alert.silencedBy ? ' silenced' : ''));
    tr.setAttribute('data-fingerprint', alert.fingerprint);
    var severity = el('td', 'severity');
    severity.appendChild(el('span', 'badge', alert.severity));
    tr.appendChild(severity);
    tr.appendChild(el('td', 'rule', alert.rule));
    tr.appendChild(el('td', 'component', alert.component));
    var summary = el('td', 'summary', alert.summary);
    if (alert.silencedBy) {
      summary.appendChild(document.createTextNode(' '));
      summary.appendChild(el('span', 'silenced-by badge', 'silenced: ' + alert.silencedBy));
    }
    tr.appendChild(summary);
    tr.appendChild(el('td', 'since', alert.sinceText));
    var runbook = el('td', 'runbook');
    var link = safeLink(alert.runbookUrl);
    if (link) {
      var a = el('a', null, 'runbook');
      a.href = link;
      a.rel = 'noopener noreferrer';
      a.target = '_blank';
      runbook.appendChild(a);
    } else {
      runbook.textContent = NONE;
    }
    tr.appendChild(runbook);
    return tr;
  }

  function facts(failover) {
    var out = ['started ' + failover.startedText];
    if (failover.oldPrimary !== null || failover.newPrimary !== null) {
      out.push('primary ' + (failover.oldPrimary === null ? '?' : failover.oldPrimary) + ' \u2192 '
        + (failover.newPrimary === null ? '-' : failover.newPrimary));
    }
    if (failover.recoveryText !== null) { out.push('recovery time ' + failover.recoveryText); }
    return out;
  }

  function failoverArticle(failover) {
    var article = el('article', 'failover outcome-' + token(failover.outcome));
    article.setAttribute('data-incident', failover.incident);
    var h3 = el('h3');
    h3.appendChild(el('span', 'incident', failover.incident));
    h3.appendChild(document.createTextNode(' '));
    h3.appendChild(el('span', 'cluster', 'cluster ' + failover.cluster));
    h3.appendChild(document.createTextNode(' '));
    h3.appendChild(el('span', 'outcome badge', failover.outcome));
    article.appendChild(h3);
    article.appendChild(el('p', 'facts', facts(failover).join(' \u00b7 ')));
    article.appendChild(el('p', 'detail', failover.detail === null ? '' : failover.detail));
    var ol = el('ol', 'timeline');
    failover.steps.forEach(function (step) {
      var li = el('li', 'step status-' + token(step.status));
      [['step-id', step.step], ['step-name', step.name], ['step-status', step.status]].forEach(function (part) {
        li.appendChild(el('span', part[0], part[1]));
        li.appendChild(document.createTextNode(' '));
      });
      li.appendChild(el('span', 'step-duration', step.durationText === null ? '' : step.durationText));
      li.appendChild(el('div', 'step-detail', step.detail === null ? '' : step.detail));
      ol.appendChild(li);
    });
    article.appendChild(ol);
    return article;
  }

  // Mirrors TopologySection.java.
  function topologyArticle(cluster) {
    var article = el('article', 'cluster-topology' + (cluster.warning === null ? '' : ' split'));
    article.setAttribute('data-cluster', cluster.cluster);
    var h3 = el('h3', null, 'cluster ' + cluster.cluster);
    if (cluster.warning !== null) {
      h3.appendChild(document.createTextNode(' '));
      h3.appendChild(el('span', 'warning badge', cluster.warning));
    }
    article.appendChild(h3);
    var table = el('table', 'nodes');
    var head = el('thead');
    var headRow = el('tr');
    ['Node', 'Role', 'Timeline', 'Upstream', 'Lag', 'Since', 'Note'].forEach(function (title) { headRow.appendChild(el('th', null, title)); });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = el('tbody');
    cluster.nodes.forEach(function (node) {
      var tr = el('tr', 'node role-' + token(node.role));
      tr.setAttribute('data-node', node.node);
      tr.appendChild(el('td', 'node-name', node.node));
      var role = el('td', 'role');
      role.title = node.basis === null ? '' : node.basis;
      role.appendChild(el('span', 'badge', node.role));
      tr.appendChild(role);
      tr.appendChild(el('td', 'timeline', node.timeline === null ? null : String(node.timeline)));
      tr.appendChild(el('td', 'upstream', node.upstream));
      tr.appendChild(el('td', 'node-lag', node.lagText));
      tr.appendChild(el('td', 'since', node.sinceText));
      tr.appendChild(el('td', 'note', node.note === null ? '' : node.note));
      body.appendChild(tr);
    });
    table.appendChild(body);
    article.appendChild(table);
    return article;
  }

  function render(snapshot) {
    var components = document.querySelector('#components tbody');
    components.replaceChildren.apply(components, snapshot.components.length
      ? snapshot.components.map(componentRow) : [empty(8, 'no components configured')]);
    var topology = document.getElementById('topology');
    topology.replaceChildren.apply(topology, snapshot.topology.length
      ? snapshot.topology.map(topologyArticle) : [el('p', 'empty', 'no clusters configured')]);
    var alerts = document.querySelector('#alerts tbody');
    alerts.replaceChildren.apply(alerts, snapshot.alerts.length ? snapshot.alerts.map(alertRow) : [empty(6, 'no open alerts')]);
    document.getElementById('alert-count').textContent = String(snapshot.alerts.length);
    var failovers = document.getElementById('failovers');
    failovers.replaceChildren.apply(failovers, snapshot.failovers.length
      ? snapshot.failovers.map(failoverArticle) : [el('p', 'empty', 'no failovers in the past 7 days')]);
    document.getElementById('updated').textContent = snapshot.generatedText;
  }

  function connected(ok, why) {
    var marker = document.getElementById('connection');
    marker.className = 'connection ' + (ok ? 'live' : 'disconnected');
    marker.textContent = ok ? 'live' : 'disconnected';
    marker.title = ok ? '' : 'cannot reach /api/status (' + why + '): showing the last figures received; retrying';
    document.body.classList.toggle('stale', !ok);
  }

  function refresh() {
    var controller = new AbortController();
    var timeout = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    fetch('api/status', {cache: 'no-store', signal: controller.signal})
      .then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.json();
      })
      .then(function (snapshot) {
        render(snapshot);
        connected(true);
      })
      .catch(function (error) { connected(false, error && error.message ? error.message : String(error)); })
      .then(function () {
        clearTimeout(timeout);
        setTimeout(refresh, REFRESH_MS);
      });
  }

  setTimeout(refresh, REFRESH_MS);
}());
