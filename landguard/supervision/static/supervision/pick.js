// Camera position on a map click (or typed coordinates): a marker and the coverage circle follow the form's
// lon / lat / radius fields. The circle is a preview on a sphere; the server recomputes it on the ellipsoid.
const EARTH_RADIUS_M = 6371008.8;

function circle(lon, lat, radius) {
  const ring = [];
  const d = radius / EARTH_RADIUS_M;
  const phi = (lat * Math.PI) / 180;
  const lambda = (lon * Math.PI) / 180;
  for (let i = 0; i <= 72; i += 1) {
    const bearing = (i * 5 * Math.PI) / 180;
    const phi2 = Math.asin(Math.sin(phi) * Math.cos(d) + Math.cos(phi) * Math.sin(d) * Math.cos(bearing));
    const lambda2 = lambda + Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(phi), Math.cos(d) - Math.sin(phi) * Math.sin(phi2));
    ring.push([(lambda2 * 180) / Math.PI, (phi2 * 180) / Math.PI]);
  }
  return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: {} };
}

export function pickPosition(maplibregl, map, form) {
  const lon = form.querySelector('[name=lon]');
  const lat = form.querySelector('[name=lat]');
  const radius = form.querySelector('[name=radius_m]');
  const marker = new maplibregl.Marker({ color: '#1f4e8c' });
  const empty = { type: 'FeatureCollection', features: [] };

  function update() {
    const x = parseFloat(lon.value);
    const y = parseFloat(lat.value);
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    marker.setLngLat([x, y]).addTo(map);
    const r = parseFloat(radius.value);
    const source = map.getSource('coverage-preview');
    if (source) source.setData(Number.isFinite(r) && r > 0 ? circle(x, y, r) : empty);
  }

  map.on('load', () => {
    map.addSource('coverage-preview', { type: 'geojson', data: empty });
    map.addLayer({ id: 'coverage-preview', type: 'line', source: 'coverage-preview', paint: { 'line-color': '#1f4e8c', 'line-width': 1.5 } });
    update();
  });
  map.on('click', (event) => {
    lon.value = event.lngLat.lng.toFixed(7);
    lat.value = event.lngLat.lat.toFixed(7);
    update();
  });
  [lon, lat, radius].forEach((input) => input.addEventListener('input', update));
}
