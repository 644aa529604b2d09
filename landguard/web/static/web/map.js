// Region map (MapLibre GL 6, ES module). The base map is 天地图 (with a key), an on-premise XYZ service, or
// a plain background that works offline; region overlays come from the scoped GeoJSON endpoint.
// The page imports MapLibre itself (`{% static %}` knows where it lives) and hands the module in.

// No "glyphs" in the style: MapLibre 6 then draws label text with local fonts (Chinese included).
const LABEL_FONTS = ['Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'sans-serif'];

const STYLES = {
  self:     { line: '#c0392b', width: 3,   fill: '#c0392b', fillOpacity: 0.06, text: 13, labelMin: 0,  labelMax: 24 },
  province: { line: '#6d4c41', width: 3,   fill: '#6d4c41', fillOpacity: 0.0,  text: 15, labelMin: 0,  labelMax: 7 },
  city:     { line: '#7b5e57', width: 2.5, fill: '#7b5e57', fillOpacity: 0.0,  text: 14, labelMin: 5,  labelMax: 9 },
  county:   { line: '#8e3b2f', width: 3,   fill: '#8e3b2f', fillOpacity: 0.03, text: 15, labelMin: 6,  labelMax: 9.5 },
  township: { line: '#1f5c4a', width: 1.8, fill: '#2e7d63', fillOpacity: 0.08, text: 13, labelMin: 8,  labelMax: 12.5 },
  village:  { line: '#3c6fb0', width: 0.8, fill: '#3c6fb0', fillOpacity: 0.04, text: 11, labelMin: 12, labelMax: 24 },
  grid:     { line: '#c77d1a', width: 0.6, fill: '#c77d1a', fillOpacity: 0.05, text: 10, labelMin: 14, labelMax: 24 },
};
const CLICK_ORDER = ['grid', 'village', 'self', 'township', 'county', 'city', 'province'];

// Data layers (vector tiles of the layer registry): 地类图斑 by first-level class, control layers one colour per
// kind — the colours come with each layer from the server (layers/maps.py `layer_colours`, one palette for the web
// maps and the report figures).
export function dataFillColour(layer) {
  const colours = layer.colours || {};
  if (!colours.by_level1) return colours.colour || '#455a64';
  const match = ['match', ['slice', ['get', 'code'], 0, 2]];
  for (const [code, colour] of Object.entries(colours.by_level1)) match.push(code, colour);
  match.push(colours.other || '#cccccc');
  return match;
}

// Adds a layer's vector tiles as `${id}-fill` and `${id}-line` (hidden unless `visible`).
export function addDataLayer(map, id, layer, visible = true) {
  const visibility = visible ? 'visible' : 'none';
  const dltb = layer.layer_kind === 'dltb';
  // Vector sources need absolute URLs; new URL() would percent-encode the {z}/{x}/{y} placeholders.
  map.addSource(id, { type: 'vector', tiles: [window.location.origin + layer.tiles], minzoom: 0, maxzoom: 16 });
  const zoom = layer.minzoom ? { minzoom: layer.minzoom } : {};
  map.addLayer({ id: `${id}-fill`, type: 'fill', source: id, 'source-layer': layer.source_layer, layout: { visibility }, ...zoom,
                 paint: { 'fill-color': dataFillColour(layer), 'fill-opacity': dltb ? 0.75 : 0.35 } });
  map.addLayer({ id: `${id}-line`, type: 'line', source: id, 'source-layer': layer.source_layer, layout: { visibility }, ...zoom,
                 paint: { 'line-color': dltb ? '#666666' : dataFillColour(layer),
                          'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.2, 15, 1] } });
}

function tianditu(layer, key) {
  return [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `https://t${i}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0`
    + `&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${encodeURIComponent(key)}`);
}

// Without a 天地图 key or a tile service the base is the scope's county and township outlines with their names
// (`basemap.outlines`: level key → the scoped GeoJSON URL), drawn from LandGuard itself, so a map is never a grey
// field offline; levels the page draws itself as overlays (`skip`) are left out.
function addOutlines(style, outlines, skip) {
  for (const [key, url] of Object.entries(outlines || {})) {
    if (skip.includes(key)) continue;
    const s = STYLES[key] || STYLES.township;
    style.sources[`base-${key}`] = { type: 'geojson', data: url };
    style.layers.push(
      { id: `base-${key}-line`, type: 'line', source: `base-${key}`, paint: { 'line-color': s.line, 'line-width': s.width * 0.7, 'line-opacity': 0.7 } },
      { id: `base-${key}-label`, type: 'symbol', source: `base-${key}`, minzoom: s.labelMin, maxzoom: s.labelMax,
        layout: { 'text-field': ['get', 'name'], 'text-font': LABEL_FONTS, 'text-size': s.text - 1, 'text-max-width': 8 },
        paint: { 'text-color': s.line, 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 } });
  }
}

export function baseStyle(basemap, { skip = [] } = {}) {
  const style = { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef1ec' } }] };
  if (basemap && basemap.tianditu_key) {
    const attribution = basemap.attribution || '© 天地图';
    style.sources.tdt_vec = { type: 'raster', tiles: tianditu('vec', basemap.tianditu_key), tileSize: 256, maxzoom: 18, attribution };
    style.sources.tdt_cva = { type: 'raster', tiles: tianditu('cva', basemap.tianditu_key), tileSize: 256, maxzoom: 18 };
    style.layers.push({ id: 'tdt-vec', type: 'raster', source: 'tdt_vec' }, { id: 'tdt-cva', type: 'raster', source: 'tdt_cva' });
  } else if (basemap && basemap.tile_url) {
    style.sources.basemap = { type: 'raster', tiles: [basemap.tile_url], tileSize: 256, maxzoom: 19, attribution: basemap.attribution || '' };
    style.layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  } else if (basemap) {
    addOutlines(style, basemap.outlines, skip);
  }
  return style;
}

function addRegionLayer(map, layer) {
  const s = STYLES[layer.key] || STYLES.township;
  const visibility = layer.visible ? 'visible' : 'none';
  map.addSource(layer.key, { type: 'geojson', data: layer.visible ? layer.url : { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: `${layer.key}-fill`, type: 'fill', source: layer.key, layout: { visibility },
                 paint: { 'fill-color': s.fill, 'fill-opacity': s.fillOpacity } });
  map.addLayer({ id: `${layer.key}-line`, type: 'line', source: layer.key, layout: { visibility, 'line-join': 'round' },
                 paint: { 'line-color': s.line, 'line-width': s.width } });
  map.addLayer({ id: `${layer.key}-label`, type: 'symbol', source: layer.key, minzoom: s.labelMin, maxzoom: s.labelMax,
                 layout: { visibility, 'text-field': ['get', 'name'], 'text-font': LABEL_FONTS, 'text-size': s.text,
                           'text-max-width': 8, 'symbol-placement': 'point' },
                 paint: { 'text-color': s.line, 'text-halo-color': '#ffffff', 'text-halo-width': 1.6 } });
  layer.loaded = layer.visible;
}

function setLayerVisible(map, layer, visible) {
  if (layer.tiles) {
    for (const part of ['fill', 'line']) map.setLayoutProperty(`${layer.key}-${part}`, 'visibility', visible ? 'visible' : 'none');
    layer.visible = visible;
    return;
  }
  if (visible && !layer.loaded) {  // grids are fetched only when first switched on
    map.getSource(layer.key).setData(layer.url);
    layer.loaded = true;
  }
  for (const part of ['fill', 'line', 'label']) map.setLayoutProperty(`${layer.key}-${part}`, 'visibility', visible ? 'visible' : 'none');
  layer.visible = visible;
}

function popupContent(props, t) {
  const root = document.createElement('div');
  root.className = 'map-popup';
  const title = document.createElement('h3');
  title.textContent = props.name;
  if (props.synthetic) {
    const badge = document.createElement('span');
    badge.className = 'badge badge-synthetic';
    badge.textContent = t.synthetic;
    title.append(' ', badge);
  }
  const dl = document.createElement('dl');
  const rows = [[t.code, props.code], ['', props.level]];
  if (props.ha !== null && props.ha !== undefined) rows.push([t.area, `${props.ha} ${t.hectare}`], ['', `${props.mu} ${t.mu}`]);
  for (const [label, value] of rows) {
    const dt = document.createElement('dt'); dt.textContent = label;
    const dd = document.createElement('dd'); dd.textContent = value;
    dl.append(dt, dd);
  }
  const link = document.createElement('a');
  link.href = props.url;
  link.textContent = t.details;
  root.append(title, dl, link);
  return root;
}

function buildLayerList(element, map, layers) {
  for (const layer of layers) {
    const colour = (layer.colours && layer.colours.swatch) || '#455a64';
    const s = layer.tiles ? { line: colour, fill: colour, fillOpacity: 1 }
      : (STYLES[layer.key] || STYLES.township);
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = layer.visible;
    box.dataset.layer = layer.key;
    box.addEventListener('change', () => setLayerVisible(map, layer, box.checked));
    const swatch = document.createElement('span');
    swatch.className = 'layer-swatch';
    swatch.style.borderColor = s.line;
    swatch.style.background = s.fillOpacity ? `${s.fill}22` : 'transparent';
    label.append(box, swatch, document.createTextNode(layer.label));
    element.append(label);
  }
}

export function createRegionMap(maplibregl, container, config, options = {}) {
  const t = config.i18n;
  const bounds = config.bounds;
  const map = new maplibregl.Map({
    container,
    style: baseStyle(config.basemap, { skip: (config.layers || []).map((l) => l.key) }),
    bounds: bounds ? [[bounds[0], bounds[1]], [bounds[2], bounds[3]]] : undefined,
    center: bounds ? undefined : [116.4, 36.4],
    zoom: bounds ? undefined : 6,
    fitBoundsOptions: { padding: 24 },
    maxZoom: 18,
    attributionControl: { compact: true },
    dragRotate: false,
    pitchWithRotate: false,
    locale: { 'Popup.Close': t.close, 'NavigationControl.ZoomIn': t.zoomIn, 'NavigationControl.ZoomOut': t.zoomOut, 'NavigationControl.ResetBearing': t.resetBearing },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.touchZoomRotate.disableRotation();

  const layers = config.layers.map((layer) => ({ ...layer }));
  const dataLayers = (config.dataLayers || []).map((layer) => ({ ...layer }));
  const pending = new Set(layers.filter((l) => l.visible).map((l) => l.key));
  const markReady = () => {
    window.landguardMapReady = true;
    container.dataset.ready = 'true';
  };

  map.on('load', () => {
    // Data layers go under the region outlines so the boundaries and their labels stay readable.
    for (const layer of dataLayers) addDataLayer(map, layer.key, layer, layer.visible);
    for (const layer of layers) addRegionLayer(map, layer);
    if (options.layerList) buildLayerList(options.layerList, map, [...layers, ...dataLayers]);
    // Ready (for tests and screenshots) once every initially visible overlay has loaded and the map is idle.
    const check = () => {
      for (const key of [...pending]) if (map.isSourceLoaded(key)) pending.delete(key);
      if (!pending.size) markReady(); else map.once('idle', check);
    };
    map.once('idle', check);
    if (options.popups) enablePopups(maplibregl, map, layers, t);
  });
  window.landguardMap = map;
  return map;
}

function enablePopups(maplibregl, map, layers, t) {
  const shown = () => CLICK_ORDER.filter((key) => layers.find((l) => l.key === key && l.visible)).map((key) => `${key}-fill`);
  map.on('click', (event) => {
    const ids = shown();
    // Rendered features come topmost first, and finer levels are drawn on top: the first is the smallest region.
    const [feature] = ids.length ? map.queryRenderedFeatures(event.point, { layers: ids }) : [];
    if (!feature) return;
    new maplibregl.Popup({ maxWidth: '280px' }).setLngLat(event.lngLat).setDOMContent(popupContent(feature.properties, t)).addTo(map);
  });
  for (const layer of layers) {
    map.on('mouseenter', `${layer.key}-fill`, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', `${layer.key}-fill`, () => { map.getCanvas().style.cursor = ''; });
  }
}

