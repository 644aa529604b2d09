// Page bootstrap for the planning pages with a map (township, idle land): the GeoJSON of map-config drawn on the
// project map. A static module, not an inline script (Content-Security-Policy).
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { createProjectMap } from '../projects/maps.js';
const config = JSON.parse(document.getElementById('map-config').textContent);
config.basemap = JSON.parse(document.getElementById('basemap-config').textContent);
createProjectMap(maplibregl, document.getElementById('planning-map'), config);
