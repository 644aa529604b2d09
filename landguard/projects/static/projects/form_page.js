// Page bootstrap for projects/form.html: a static module, not an inline script, so the
// Content-Security-Policy can forbid inline code (landguard/core/csp.py). Data comes from the json_script blocks.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { setUpBoundaryDrawing } from './maps.js';
const config = JSON.parse(document.getElementById('draw-config').textContent);
config.basemap = JSON.parse(document.getElementById('basemap-config').textContent);
setUpBoundaryDrawing(maplibregl, document.querySelector('[data-draw-field]'), config);
