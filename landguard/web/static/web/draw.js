// Click-to-draw a polygon on a MapLibre map (desktop clicks and phone taps): used by 叠加分析 and by the
// project boundary forms. The drawn ring goes into a form input as GeoJSON ({"type": "Polygon", …}),
// coordinates rounded to 1e-7° (about 1 cm), so the server reads it like any uploaded boundary.
//
// The toolbar inside `root` carries buttons [data-draw=start|undo|finish|clear] and a [data-draw-hint];
// `status` shows progress with strings.idle / drawing / drawn / needThree (%(count)s = vertices).

export class PolygonDrawing {
  constructor(map, { root, input, status, strings, id = 'draw' }) {
    this.map = map; this.t = strings; this.input = input; this.status = status; this.id = id;
    this.vertices = []; this.active = false; this.closed = false;
    this.buttons = Object.fromEntries([...root.querySelectorAll('[data-draw]')].map((b) => [b.dataset.draw, b]));
    this.hint = root.querySelector('[data-draw-hint]');
    map.addSource(id, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({ id: `${id}-line`, type: 'line', source: id, filter: ['!=', ['geometry-type'], 'Point'],
                   paint: { 'line-color': '#c0392b', 'line-width': 2.5, 'line-dasharray': [2, 1] } });
    map.addLayer({ id: `${id}-vertex`, type: 'circle', source: id, filter: ['==', ['geometry-type'], 'Point'],
                   paint: { 'circle-radius': 5, 'circle-color': '#ffffff', 'circle-stroke-color': '#c0392b', 'circle-stroke-width': 2 } });
    this.buttons.start.addEventListener('click', () => this.start());
    this.buttons.undo.addEventListener('click', () => { this.vertices.pop(); this.render(); });
    this.buttons.finish.addEventListener('click', () => this.finish());
    this.buttons.clear.addEventListener('click', () => this.clear());
    map.on('click', (event) => {
      if (!this.active) return;
      this.vertices.push([event.lngLat.lng, event.lngLat.lat]);
      this.render();
    });
    map.on('dblclick', (event) => {
      if (!this.active) return;
      event.preventDefault();  // no zoom: a double click closes the polygon
      this.finish();
    });
    this.restore();
    this.render();
  }

  // A form shown again after a validation error keeps the polygon drawn before.
  restore() {
    try {
      const geometry = JSON.parse(this.input.value || 'null');
      if (geometry && geometry.type === 'Polygon' && geometry.coordinates[0].length > 3) {
        this.vertices = geometry.coordinates[0].slice(0, -1);
        this.closed = true;
      }
    } catch (error) {
      this.input.value = '';
    }
  }

  start() {
    this.vertices = []; this.active = true; this.closed = false;
    this.input.value = '';
    this.map.doubleClickZoom.disable();
    this.map.getCanvas().style.cursor = 'crosshair';
    this.render();
  }

  finish() {
    // A double click also fires two clicks: drop the duplicate vertex they add at the same spot.
    const v = this.vertices;
    while (v.length > 1 && v[v.length - 1][0] === v[v.length - 2][0] && v[v.length - 1][1] === v[v.length - 2][1]) v.pop();
    if (v.length < 3) { this.status.textContent = this.t.needThree; return; }
    this.active = false; this.closed = true;
    this.map.getCanvas().style.cursor = '';
    setTimeout(() => this.map.doubleClickZoom.enable(), 0);
    const ring = [...v, v[0]].map(([x, y]) => [Math.round(x * 1e7) / 1e7, Math.round(y * 1e7) / 1e7]);
    this.input.value = JSON.stringify({ type: 'Polygon', coordinates: [ring] });
    this.input.dispatchEvent(new Event('change', { bubbles: true }));
    this.render();
  }

  clear() {
    this.vertices = []; this.active = false; this.closed = false;
    this.input.value = '';
    this.input.dispatchEvent(new Event('change', { bubbles: true }));
    this.map.getCanvas().style.cursor = '';
    this.map.doubleClickZoom.enable();
    this.render();
  }

  render() {
    const v = this.vertices;
    const features = v.map((p) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } }));
    if (this.closed) features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [...v, v[0]] } });
    else if (v.length > 1) features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: v } });
    this.map.getSource(this.id).setData({ type: 'FeatureCollection', features });
    this.buttons.undo.disabled = !this.active || !v.length;
    this.buttons.finish.disabled = !this.active || v.length < 3;
    this.buttons.clear.disabled = !v.length && !this.active;
    this.buttons.start.disabled = this.active;
    this.hint.hidden = !this.active;
    if (this.closed) this.status.textContent = this.t.drawn.replace('%(count)s', v.length);
    else if (this.active) this.status.textContent = this.t.drawing.replace('%(count)s', v.length);
    else this.status.textContent = this.t.idle;
  }
}
