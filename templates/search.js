// Client-side search and filters for the search page. The page works
// without it (the form stays hidden and a note says so); this script only
// enhances. Data comes from search-index.js (window.DEMAND_INDEX), a
// script rather than JSON so that the site also works opened from disk.
(function () {
  'use strict';
  var form = document.getElementById('search-form');
  var data = window.DEMAND_INDEX;
  if (!form || !data || !window.MiniSearch) { return; }
  form.hidden = false;
  var note = document.getElementById('search-noscript');
  if (note) { note.hidden = true; }

  // English words, and Han text as character bigrams (a lone character as
  // itself), the same way the index was built for duplicates.
  var han = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  function tokenize(text) {
    var out = [];
    var parts = String(text).toLowerCase().split(/[^\p{L}\p{N}]+/u);
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i];
      if (!p) { continue; }
      var run = '', word = '';
      for (var j = 0; j < p.length; j++) {
        var ch = p[j];
        if (han.test(ch)) {
          if (word) { out.push(word); word = ''; }
          run += ch;
        } else {
          if (run) { pushHan(run, out); run = ''; }
          word += ch;
        }
      }
      if (run) { pushHan(run, out); }
      if (word) { out.push(word); }
    }
    return out;
  }
  function pushHan(run, out) {
    if (run.length === 1) { out.push(run); return; }
    for (var k = 0; k + 1 < run.length; k++) { out.push(run.substr(k, 2)); }
  }

  var docs = data.docs;
  var mini = new window.MiniSearch({
    fields: ['title', 'text', 'customer', 'tags', 'id'],
    storeFields: [],
    idField: 'n',
    tokenize: tokenize,
    searchOptions: { boost: { title: 3, id: 3, tags: 2, customer: 2 }, prefix: function (term) { return !han.test(term); }, fuzzy: function (term) { return han.test(term) || term.length < 5 ? false : 0.2; }, combineWith: 'AND' }
  });
  mini.addAll(docs.map(function (d, n) { return { n: n, id: d.id, title: d.title, text: d.text, customer: d.customer || '', tags: (d.tags || []).join(' ') }; }));

  var q = document.getElementById('q');
  var selects = form.querySelectorAll('select[data-facet]');
  var body = document.getElementById('results-body');
  var count = document.getElementById('results-count');
  var table = document.getElementById('results');
  var sortKey = null, sortDir = 1;
  var columns = [];
  table.querySelectorAll('th[data-sort]').forEach(function (th) {
    var c = th.getAttribute('data-sort');
    if (c !== 'id') { columns.push(c); }
  });

  function matchesFacets(d) {
    for (var i = 0; i < selects.length; i++) {
      var s = selects[i], v = s.value, f = s.getAttribute('data-facet');
      if (!v) { continue; }
      if (f === 'tags') {
        if ((d.tags || []).indexOf(v) < 0) { return false; }
      } else if (f.indexOf('f.') === 0) {
        if (((d.f || {})[f.slice(2)] || []).indexOf(v) < 0) { return false; }
      } else if (String(d[f]) !== v) { return false; }
    }
    return true;
  }

  function update() {
    var query = q.value.trim();
    var rows;
    if (query) {
      rows = mini.search(query).map(function (r) { return { d: docs[r.id], score: r.score }; });
    } else {
      rows = docs.map(function (d) { return { d: d, score: 0 }; });
    }
    rows = rows.filter(function (r) { return matchesFacets(r.d); });
    if (sortKey) {
      rows.sort(function (a, b) {
        var x = a.d[sortKey], y = b.d[sortKey];
        if (x === y) { return a.d.rank - b.d.rank; }
        return (x < y ? -1 : 1) * sortDir;
      });
    }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    rows.forEach(function (r) {
      var d = r.d, tr = document.createElement('tr');
      var th = document.createElement('th');
      th.scope = 'row';
      var a = document.createElement('a');
      a.href = d.url;
      a.textContent = d.id;
      th.appendChild(a);
      tr.appendChild(th);
      // The columns the page has (a registry without ranking has no tier
      // or score column), in its order.
      columns.forEach(function (c) {
        var td = document.createElement('td');
        td.textContent = c === 'status' ? d.statusLabel : d[c];
        if (c === 'tier' || c === 'score') { td.className = 'num'; }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    count.textContent = String(rows.length);
    var params = new URLSearchParams();
    if (query) { params.set('q', query); }
    for (var i = 0; i < selects.length; i++) { if (selects[i].value) { params.set(selects[i].name, selects[i].value); } }
    var s = params.toString();
    history.replaceState(null, '', s ? '?' + s : location.pathname);
  }

  // Sortable columns: buttons in the headers.
  table.querySelectorAll('th[data-sort] button').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var key = btn.parentNode.getAttribute('data-sort');
      sortDir = sortKey === key ? -sortDir : 1;
      sortKey = key;
      table.querySelectorAll('th[data-sort]').forEach(function (th) { th.removeAttribute('aria-sort'); });
      btn.parentNode.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      update();
    });
  });

  var params = new URLSearchParams(location.search);
  q.value = params.get('q') || '';
  for (var i = 0; i < selects.length; i++) { selects[i].value = params.get(selects[i].name) || ''; }
  form.addEventListener('submit', function (e) { e.preventDefault(); update(); });
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
}());
