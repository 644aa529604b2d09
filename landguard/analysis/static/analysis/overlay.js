// 叠加分析 map (MapLibre GL 6, ES module): draw a boundary by clicking vertices, and show the result the
// server sends back with the HTMX fragment (#overlay-map-data): boundaries, DLTB pieces coloured by
// first-level class, control-layer pieces and the parts outside coverage layers. The page hands in the
// map made by web/map.js (base map and region outlines); everything here is added on top. Drawing is the
// shared web/draw.js.
import { PolygonDrawing } from '../web/draw.js';

// First-level classes (三调): colours close to the survey's usual cartography.
const CLASS_COLOURS = {
  '00': '#4fb3bf', '01': '#f2d16b', '02': '#e5a04a', '03': '#5a9e4b', '04': '#a8cf6b', '05': '#e06c75', '06': '#b0795b',
  '07': '#d6604d', '08': '#c678dd', '09': '#8e6c8a', '10': '#9a9a9a', '11': '#5b9bd5', '12': '#c9b89a',
};
const CONTROL_COLOURS = {
  basic_farmland: '#b8860b', eco_redline: '#d32f2f', dev_boundary: '#7b1fa2', approved: '#1565c0', supplied: '#00838f',
  mining: '#6d4c41', other: '#546e7a',
};
const EMPTY = { type: 'FeatureCollection', features: [] };

function byKey(colours, property, fallback) {
  const expression = ['match', ['get', property]];
  for (const [key, colour] of Object.entries(colours)) expression.push(key, colour);
  expression.push(fallback);
  return expression;
}

function addResultLayers(map) {
  for (const id of ['ov-pieces', 'ov-controls', 'ov-outside', 'ov-boundaries']) map.addSource(id, { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'ov-pieces-fill', type: 'fill', source: 'ov-pieces',
                 paint: { 'fill-color': byKey(CLASS_COLOURS, 'level1', '#cccccc'), 'fill-opacity': 0.62 } });
  map.addLayer({ id: 'ov-pieces-line', type: 'line', source: 'ov-pieces', paint: { 'line-color': '#ffffff', 'line-width': 0.6, 'line-opacity': 0.9 } });
  map.addLayer({ id: 'ov-controls-line', type: 'line', source: 'ov-controls',
                 paint: { 'line-color': byKey(CONTROL_COLOURS, 'kind', '#546e7a'), 'line-width': 2, 'line-opacity': 0.9 } });
  // Outside parts as a dashed outline only: 未被已批用地覆盖 is often the whole boundary, and a fill would
  // tint every class colour under it.
  map.addLayer({ id: 'ov-outside-line', type: 'line', source: 'ov-outside',
                 paint: { 'line-color': '#e53935', 'line-width': 2, 'line-dasharray': [1.5, 1.5] } });
  map.addLayer({ id: 'ov-boundaries-casing', type: 'line', source: 'ov-boundaries', paint: { 'line-color': '#ffffff', 'line-width': 5 } });
  map.addLayer({ id: 'ov-boundaries-line', type: 'line', source: 'ov-boundaries', paint: { 'line-color': '#1f2a30', 'line-width': 2.5 } });
}

// --- results ------------------------------------------------------------------------------------------

function showResult(map, data, legend, t) {
  for (const key of ['pieces', 'controls', 'outside', 'boundaries']) map.getSource(`ov-${key}`).setData(data ? data[key] : EMPTY);
  const container = map.getContainer();
  container.dataset.pieces = data ? String(data.pieces.features.length) : '0';
  container.dataset.resultBounds = data && data.bounds ? JSON.stringify(data.bounds) : '';
  if (data && data.bounds) {
    const [x0, y0, x1, y1] = data.bounds;
    map.fitBounds([[x0, y0], [x1, y1]], { padding: resultPadding(map), duration: 0, maxZoom: 17 });
  }
  buildLegend(map, legend, data, t);
  // Ready for tests and screenshots once the new data has been drawn.
  container.dataset.resultReady = 'false';
  map.once('idle', () => { container.dataset.resultReady = 'true'; });
  map.triggerRepaint();
}

// The result is framed below the drawing toolbar (two rows on a phone, with its hint), never under it.
function resultPadding(map) {
  const container = map.getContainer();
  const box = container.getBoundingClientRect();
  const padding = { top: 40, bottom: 40, left: 40, right: 40 };
  const tools = container.parentElement && container.parentElement.querySelector('.draw-tools');
  if (tools) {
    const below = tools.getBoundingClientRect().bottom - box.top + 16;
    padding.top = Math.min(Math.max(padding.top, below), box.height * 0.45);
  }
  return padding;
}

function buildLegend(map, legend, data, t) {
  legend.replaceChildren();
  if (!data || !data.pieces.features.length) { legend.hidden = true; return; }
  const classes = new Map();
  for (const f of data.pieces.features) classes.set(f.properties.level1, f.properties.level1_name);
  const title = document.createElement('summary');
  title.textContent = t.legend;
  legend.append(title);
  legend.open = window.matchMedia('(min-width: 901px)').matches;  // folded on phones: the map is small there
  for (const [code, name] of [...classes].sort()) {
    const row = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.style.background = CLASS_COLOURS[code] || '#cccccc';
    row.append(swatch, document.createTextNode(`${code} ${name}`));
    legend.append(row);
  }
  const toggles = [['ov-controls-line', t.controls, '#7b1fa2', 'solid'], ['ov-outside-line', t.outside, '#e53935', 'dashed']];
  for (const [layer, label, colour, style] of toggles) {
    const row = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = map.getLayoutProperty(layer, 'visibility') !== 'none';
    box.addEventListener('change', () => map.setLayoutProperty(layer, 'visibility', box.checked ? 'visible' : 'none'));
    const swatch = document.createElement('i');
    swatch.className = 'line-swatch';
    swatch.style.borderTop = `2px ${style} ${colour}`;
    row.append(box, swatch, document.createTextNode(label));
    legend.append(row);
  }
  legend.hidden = false;
}

function piecePopup(props, t) {
  const root = document.createElement('div');
  root.className = 'map-popup';
  const title = document.createElement('h3');
  title.textContent = `${props.code} ${props.name}`;
  const dl = document.createElement('dl');
  const rows = [[t.level1, `${props.level1} ${props.level1_name}`], [t.area, `${props.gross_ha} ${t.hectare} · ${props.gross_mu} ${t.mu}`],
                [t.net, `${props.net_mu} ${t.mu}`], ['KCXS', props.kcxs]];
  if (props.bsm) rows.push(['BSM', props.bsm]);
  for (const [label, value] of rows) {
    const dt = document.createElement('dt'); dt.textContent = label;
    const dd = document.createElement('dd'); dd.textContent = value;
    dl.append(dt, dd);
  }
  root.append(title, dl);
  return root;
}

function readResult() {
  const script = document.getElementById('overlay-map-data');
  return script ? JSON.parse(script.textContent) : null;
}

export function setUpOverlay(maplibregl, map, t) {
  const input = document.querySelector('input[name="boundary"]');
  const status = document.querySelector('[data-drawn-status]');
  const legend = document.querySelector('[data-legend]');
  const file = document.querySelector('input[type="file"][name="file"]');
  map.on('load', () => {
    addResultLayers(map);
    const drawing = new PolygonDrawing(map, { root: document.querySelector('.draw-tools'), input, status, strings: t, id: 'ov-draw' });
    if (file) file.addEventListener('change', () => { if (file.files.length) status.textContent = t.file.replace('%(name)s', file.files[0].name); });
    map.on('click', 'ov-pieces-fill', (event) => {
      if (drawing.active) return;
      const [feature] = event.features;
      new maplibregl.Popup({ maxWidth: '280px' }).setLngLat(event.lngLat).setDOMContent(piecePopup(feature.properties, t)).addTo(map);
    });
    map.on('mouseenter', 'ov-pieces-fill', () => { if (!drawing.active) map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', 'ov-pieces-fill', () => { if (!drawing.active) map.getCanvas().style.cursor = ''; });
    const initial = readResult();  // a full page after a form post without JavaScript-driven HTMX
    if (initial) showResult(map, initial, legend, t);
    document.body.addEventListener('htmx:afterSwap', (event) => {
      if (event.detail.target.id !== 'overlay-results') return;
      showResult(map, readResult(), legend, t);
    });
    map.getContainer().dataset.overlayReady = 'true';
  });
}
