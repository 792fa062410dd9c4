// The herd's live map: no tile server, nothing fetched from outside this node.
(function () {
  'use strict';
  const map = L.map('map', { worldCopyJump: true, minZoom: 2 }).setView([34.07, -118.44], 10);
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
          .bindTooltip(c.client + ' (' + c.node + ', ' + c.time + ')').addTo(clients);
      });
      document.getElementById('clients-count').textContent = (body.clients || []).length;
    });
  }

  function refreshPlaces() {
    const c = map.getCenter();
    const radius = Math.min(50000, Math.max(1, map.distance(c, map.getBounds().getNorthEast())));
    fetch('/maps/api/place/nearbysearch/json?location=' + c.lat.toFixed(6) + ',' + wrap(c.lng).toFixed(6)
        + '&radius=' + Math.round(radius)).then(r => r.json()).then(body => {
      places.clearLayers();
      (body.results || []).forEach(p => {
        const news = (p.types || []).indexOf('news') >= 0;
        L.circleMarker([p.geometry.location.lat, p.geometry.location.lng],
          { radius: news ? 7 : 4, color: news ? '#d9480f' : '#555', fillOpacity: 0.6 })
          .bindTooltip((news ? 'news: ' : '') + p.name).addTo(places);
      });
      document.getElementById('places-count').textContent = (body.results || []).length;
    });
  }

  function loadFences(after, shown) {
    fetch('/v1/fences?limit=1000' + (after ? '&after=' + encodeURIComponent(after) : '')).then(r => r.json()).then(page => {
      (page.fences || []).forEach(f => {
        const style = { color: '#7b2cbf', weight: 2, fillOpacity: 0.1 };
        const layer = f.circle ? L.circle([f.circle.lat, f.circle.lng], Object.assign({ radius: f.circle.radius }, style))
          : L.geoJSON(f.polygon, { style: style });
        layer.bindTooltip('fence ' + f.id).addTo(fences);
      });
      const total = shown + (page.fences || []).length;
      document.getElementById('fences-count').textContent = total;
      if (page.next && total < 10000) { loadFences(page.next, total); } // the map draws at most 10,000
    });
  }

  function health() {
    fetch('/health').then(r => r.json()).then(h => {
      document.getElementById('health').textContent = JSON.stringify(h);
    }).catch(() => { document.getElementById('health').textContent = 'unreachable'; });
  }

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
    refreshClients();
  }));

  map.on('moveend', () => { refreshClients(); refreshPlaces(); });
  refreshClients(); refreshPlaces(); loadFences(null, 0); health();
  setInterval(health, 5000);
  setInterval(refreshClients, 5000);
})();
