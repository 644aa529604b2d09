// Page bootstrap for supervision/clue_detail.html: the clue's point and analysis disc over the region outlines and
// the 地类图斑 (static/web/map.js). A static module, not an inline script (the Content-Security-Policy forbids them).
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { createRegionMap } from '../web/map.js';

const config = JSON.parse(document.getElementById('map-config').textContent);
config.basemap = JSON.parse(document.getElementById('basemap-config').textContent);
const features = JSON.parse(document.getElementById('clue-features').textContent);
const map = createRegionMap(maplibregl, document.getElementById('clue-map'), config);
map.on('load', () => {
  map.addSource('clue', { type: 'geojson', data: features });
  map.addLayer({ id: 'clue-disc', type: 'line', source: 'clue', filter: ['==', ['get', 'role'], 'disc'],
                 paint: { 'line-color': '#c0392b', 'line-width': 2, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'clue-point', type: 'circle', source: 'clue', filter: ['==', ['get', 'role'], 'clue'],
                 paint: { 'circle-radius': 7, 'circle-color': '#c0392b', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
});
