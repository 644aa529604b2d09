// Supply maps (a parcel's page, the 供地率 page): one GeoJSON source whose features carry a `layer` property —
// dossier (approved land), parcel (supplied), remainder (批而未供), idle (闲置), arrears (欠缴) — each drawn in its
// colour. A static module (the Content-Security-Policy forbids inline code); data from json_script blocks.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { baseStyle } from '../web/map.js';

const COLOURS = ['match', ['get', 'layer'], 'dossier', '#1e88e5', 'parcel', '#2e7d32', 'remainder', '#f9a825',
  'idle', '#c62828', 'arrears', '#6a1b9a', '#455a64'];

const config = JSON.parse(document.getElementById('map-config').textContent);
config.basemap = JSON.parse(document.getElementById('basemap-config').textContent);
const container = document.getElementById('supply-map');
const map = new maplibregl.Map({
  container, style: baseStyle(config.basemap), maxZoom: 18, dragRotate: false, pitchWithRotate: false,
  center: [116.4, 36.4], zoom: 6, attributionControl: { compact: true },
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
map.touchZoomRotate.disableRotation();
map.on('load', async () => {
  const data = await (await fetch(config.geojson, { credentials: 'same-origin' })).json();
  map.addSource('supply', { type: 'geojson', data });
  map.addLayer({ id: 'supply-fill', type: 'fill', source: 'supply', paint: { 'fill-color': COLOURS, 'fill-opacity': 0.35 } });
  map.addLayer({ id: 'supply-line', type: 'line', source: 'supply', paint: { 'line-color': COLOURS, 'line-width': 1.5 } });
  // Every vertex, whatever the nesting (Polygon or MultiPolygon).
  const pairs = (c) => (typeof c[0] === 'number' ? [c] : c.flatMap(pairs));
  const coords = data.features.flatMap((f) => pairs(f.geometry.coordinates));
  if (coords.length) {
    const xs = coords.map((c) => c[0]), ys = coords.map((c) => c[1]);
    map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 30, duration: 0, maxZoom: 16 });
  } else if (config.bounds) {  // nothing to draw: the scope itself, its township outlines from the base
    const [x0, y0, x1, y1] = config.bounds;
    map.fitBounds([[x0, y0], [x1, y1]], { padding: 20, duration: 0 });
  }
  map.once('idle', () => { container.dataset.ready = 'true'; window.landguardMapReady = true; });
});
window.landguardMap = map;
