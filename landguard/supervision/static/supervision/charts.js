// 耕地保护 overview charts (ECharts). Data comes from the page (json_script), already limited to the user's scope.
(function () {
  function ready(fn) { document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', fn) : fn(); }
  ready(function () {
    const data = JSON.parse(document.getElementById('chart-data').textContent);
    const t = data.i18n;
    const font = getComputedStyle(document.body).fontFamily;
    const base = { color: ['#2e7d63', '#c77d1a', '#3c6fb0', '#8a5cb8', '#d05a5a'], textStyle: { fontFamily: font }, animation: false,
                   tooltip: { trigger: 'item', textStyle: { fontFamily: font } } };
    const axisLabel = { fontFamily: font, hideOverlap: true };
    const options = {
      per_day: (rows) => ({
        ...base, tooltip: { ...base.tooltip, trigger: 'axis' }, grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: rows.map((r) => r.day.slice(5)), axisLabel },
        yAxis: { type: 'value', minInterval: 1, axisLabel },
        series: [{ type: 'bar', name: t.alerts, data: rows.map((r) => r.value), barMaxWidth: 14 }],
      }),
      by_kind: (rows) => ({
        ...base, legend: { bottom: 0, type: 'scroll', textStyle: { fontFamily: font } },
        series: [{ type: 'pie', name: t.count, radius: ['38%', '68%'], center: ['50%', '45%'], data: rows,
                   label: { formatter: '{b}\n{c}', fontFamily: font } }],
      }),
    };
    document.querySelectorAll('[data-chart]').forEach((el) => {
      const rows = data[el.dataset.chart] || [];
      const chart = echarts.init(el, null, { renderer: 'canvas' });
      const option = options[el.dataset.chart](rows);
      if (!rows.length || rows.every((r) => !r.value)) option.title = { text: t.empty, left: 'center', top: 'middle', textStyle: { color: '#8a969c', fontFamily: font, fontSize: 14 } };
      chart.setOption(option);
      window.addEventListener('resize', () => chart.resize());
    });
  });
})();
