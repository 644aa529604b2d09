// Page bootstrap for web/map.html: a static module, not an inline script, so the
// Content-Security-Policy can forbid inline code (landguard/core/csp.py). Data comes from the json_script blocks.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { createRegionMap } from './map.js';
const config = JSON.parse(document.getElementById('map-config').textContent);
config.basemap = JSON.parse(document.getElementById('basemap-config').textContent);
createRegionMap(maplibregl, document.getElementById('map'), config, {layerList: document.querySelector('[data-layer-list]'), popups: true});
