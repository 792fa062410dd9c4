// The herd's live map: no tile server, nothing fetched from outside this node.
(function () {
  'use strict';
  // the view: #<zoom>/<lat>/<lng> in the address (kept as the view moves), else UCLA
  const view = (location.hash.match(/^#(\d+)\/(-?[\d.]+)\/(-?[\d.]+)$/) || []).slice(1).map(Number);
  const map = L.map('map', { worldCopyJump: true, minZoom: 2 })
    .setView(view.length === 3 ? [view[1], view[2]] : [34.0689, -118.4452], view.length === 3 ? view[0] : 11);
  map.attributionControl.setPrefix('<a href="/map/NOTICE.md">Leaflet</a>');
  const clients = L.layerGroup().addTo(map);
  const places = L.layerGroup().addTo(map);
  const fences = L.layerGroup().addTo(map);
  const flashes = L.layerGroup().addTo(map);

  fetch('/map/countries-110m.json').then(r => r.json()).then(topo => {
    L.geoJSON(topojson.feature(topo, topo.objects.countries), {
      style: { color: '#7a7a7a', weight: 1, fillColor: '#f2efe9', fillOpacity: 1 },
      attribution: 'Countries: <a href="https://www.naturalearthdata.com/">Natural Earth</a> (world-atlas)'
    }).addTo(map).bringToBack();
  });

  // Client ids, place names and fence ids come from anyone who can write: shown as text, never as HTML
  // (Leaflet puts a string tooltip in as HTML).
  function plain(text) {
    const span = document.createElement('span');
    span.textContent = text;
    return span;
  }

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }
  function wrap(lng) { return ((lng + 180) % 360 + 360) % 360 - 180; }

  function bbox() {
    const b = map.getBounds();
    const south = clamp(b.getSouth(), -90, 90), north = clamp(b.getNorth(), -90, 90);
    if (b.getEast() - b.getWest() >= 360) { return [south, -180, north, 180]; }
    return [south, wrap(b.getWest()), north, wrap(b.getEast())];
  }

  function refreshClients() {
    const q = bbox().map(v => v.toFixed(6)).join(',');
    fetch('/v1/locations?bbox=' + q + '&limit=1000').then(r => r.json()).then(body => {
      clients.clearLayers();
      (body.clients || []).forEach(c => {
        L.circleMarker([c.lat, c.lng], { radius: 5, color: '#1f5fbf', fillOpacity: 0.8, className: 'herd-client' })
          .bindTooltip(plain(c.client + ' (' + c.node + ', ' + c.time + ')')).addTo(clients);
      });
      document.getElementById('clients-count').textContent = (body.clients || []).length;
    });
  }

  // Places and news items around the view's centre (the Places API drop-in: 20 of each at most,
  // the most prominent places and the news items, so that news is not crowded out by cities)
  function refreshPlaces() {
    const c = map.getCenter();
    const radius = Math.min(50000, Math.max(1, map.distance(c, map.getBounds().getNorthEast())));
    const q = '/maps/api/place/nearbysearch/json?location=' + c.lat.toFixed(6) + ',' + wrap(c.lng).toFixed(6)
        + '&radius=' + Math.round(radius);
    Promise.all([q, q + '&type=news'].map(u => fetch(u).then(r => r.json()))).then(answers => {
      places.clearLayers();
      const seen = {};
      answers.forEach(body => (body.results || []).forEach(p => {
        if (seen[p.place_id]) { return; }
        seen[p.place_id] = true;
        const news = (p.types || []).indexOf('news') >= 0;
        L.circleMarker([p.geometry.location.lat, p.geometry.location.lng],
          { radius: news ? 7 : 4, color: news ? '#d9480f' : '#555', fillOpacity: 0.6, className: news ? 'herd-news' : 'herd-place' })
          .bindTooltip(plain((news ? 'news: ' : '') + p.name)).addTo(places);
      }));
      document.getElementById('places-count').textContent = Object.keys(seen).length;
    });
  }

  function loadFences(after, shown) {
    fetch('/v1/fences?limit=1000' + (after ? '&after=' + encodeURIComponent(after) : '')).then(r => r.json()).then(page => {
      (page.fences || []).forEach(f => {
        const style = { color: '#7b2cbf', weight: 2, fillOpacity: 0.1 };
        const layer = f.circle ? L.circle([f.circle.lat, f.circle.lng], Object.assign({ radius: f.circle.radius }, style))
          : L.geoJSON(f.polygon, { style: style });
        layer.bindTooltip(plain('fence ' + f.id)).addTo(fences);
      });
      const total = shown + (page.fences || []).length;
      document.getElementById('fences-count').textContent = total;
      if (page.next && total < 10000) { loadFences(page.next, total); } // the map draws at most 10,000
    });
  }

  function text(id, value) { document.getElementById(id).textContent = value; }

  // The node's health: /health on every port; on the admin port also /admin/status (counts, lag),
  // asked until the first 404 says this is the public port.
  let adminPort = true;
  function health() {
    fetch('/health').then(r => r.json().then(h => ({ ok: r.ok, h: h }))).then(a => {
      text('health', (a.ok ? 'serving' : 'NOT serving') + ' (' + JSON.stringify(a.h) + ')');
      return adminPort ? fetch('/admin/status') : null;
    }).then(r => {
      if (r && r.status === 404) { adminPort = false; }
      return r && r.ok ? r.json() : null;
    }).then(s => {
      if (s) {
        const lag = Object.values(s.lag || {}).reduce((x, y) => x + y, 0);
        text('health', s.node + ': ' + (s.ready ? 'serving' : 'NOT serving') + ', ' + s.clientsEstimate + ' clients (estimate), '
          + s.places + ' places, ' + s.fences + ' fences, lag ' + lag + ', replay ' + s.replay
          + (s.derivation ? ', derivation ' + s.derivation.state + ' (' + s.derivation.activeTasks + ' tasks)' : ''));
      }
    }).catch(() => text('health', 'unreachable'));
  }

  // The herd's digests: the admin port only (operators); the public port answers 404.
  function herd() {
    const el = document.getElementById('herd');
    el.textContent = 'comparing…';
    fetch('/admin/herd').then(r => {
      if (r.status === 404) {
        el.textContent = 'for operators: open this map on the node\'s admin port to compare the herd\'s digests';
        document.getElementById('compare').disabled = true;
        return;
      }
      return r.json().then(h => {
        const table = document.createElement('table');
        table.innerHTML = '<tr><th>node</th><th>clients</th><th>places</th><th>digest</th></tr>';
        h.nodes.forEach(n => {
          const tr = table.insertRow();
          tr.className = 'herd-node';
          [n.node, n.digest ? n.digest.clients : n.state, n.digest ? n.digest.places : '',
           n.digest ? n.digest.sha256.substring(0, 12) : (n.error || '')].forEach(v => { tr.insertCell().textContent = v; });
          if (!n.digest) { tr.className += ' down'; }
        });
        el.replaceChildren(table);
        const verdict = document.createElement('div');
        verdict.id = 'verdict';
        verdict.className = h.agree ? 'agree' : 'differ';
        verdict.textContent = h.agree ? 'digests agree' : 'digests DIFFER (or a node did not answer; one catching up may differ for a moment)';
        el.appendChild(verdict);
      });
    }).catch(() => { el.textContent = 'unreachable'; });
  }
  document.getElementById('compare').addEventListener('click', herd);

  const events = new EventSource('/v1/events');
  ['enter', 'exit', 'inside'].forEach(kind => events.addEventListener(kind, m => {
    const e = JSON.parse(m.data);
    const li = document.createElement('li');
    li.className = kind + ' herd-event';
    li.textContent = e.client + ' ' + kind + ' ' + e.fence + ' at ' + e.node;
    const list = document.getElementById('events');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 100) { list.removeChild(list.lastChild); } // the panel keeps the last 100
    L.circleMarker([e.lat, e.lng], { radius: 12, color: kind === 'exit' ? '#b3261e' : '#0a7d2c' }).addTo(flashes);
    const shown = flashes.getLayers();
    if (shown.length > 100) { flashes.removeLayer(shown[0]); } // the last 100 events stay on the map
    soonRefreshClients();
  }));

  // events may come by the hundred: the clients in view are asked again at most once a second for them
  let refreshPending = false;
  function soonRefreshClients() {
    if (!refreshPending) {
      refreshPending = true;
      setTimeout(() => { refreshPending = false; refreshClients(); }, 1000);
    }
  }

  map.on('moveend', () => {
    const c = map.getCenter();
    history.replaceState(null, '', '#' + map.getZoom() + '/' + c.lat.toFixed(4) + '/' + wrap(c.lng).toFixed(4));
    refreshClients(); refreshPlaces();
  });
  refreshClients(); refreshPlaces(); loadFences(null, 0); health(); herd();
  setInterval(health, 5000);
  setInterval(refreshClients, 5000);
})();
