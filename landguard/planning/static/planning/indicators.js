// The county indicator page: target vs current per township (ECharts), and the indicator picker submitting itself.
// A static script, not inline, so the Content-Security-Policy can forbid inline code.
(function () {
  function ready(fn) { document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', fn) : fn(); }
  ready(function () {
    document.querySelectorAll('[data-autosubmit]').forEach((el) => el.addEventListener('change', () => el.form.submit()));
    const source = document.getElementById('planning-chart-data');
    const el = document.getElementById('planning-chart');
    if (!source || !el || typeof echarts === 'undefined') return;
    const data = JSON.parse(source.textContent);
    const font = getComputedStyle(document.body).fontFamily;
    const rows = data.rows;
    const chart = echarts.init(el, null, { locale: data.locale, renderer: 'canvas' });
    const option = {
      color: ['#3c6fb0', '#2e7d63'], textStyle: { fontFamily: font }, animation: false,
      tooltip: { trigger: 'axis' }, legend: { top: 0, textStyle: { fontFamily: font } },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { fontFamily: font, rotate: rows.length > 6 ? 40 : 0, interval: 0 } },
      yAxis: { type: 'value', axisLabel: { fontFamily: font } },
      series: [
        { type: 'bar', name: data.labels.target, data: rows.map((r) => r.target), barMaxWidth: 20 },
        { type: 'bar', name: data.labels.current, data: rows.map((r) => r.current), barMaxWidth: 20 },
      ],
    };
    if (!rows.length) option.title = { text: data.labels.empty, left: 'center', top: 'middle' };
    chart.setOption(option);
    window.addEventListener('resize', () => chart.resize());
  });
})();
