/* Ranking pages: the trend chart (ECharts, vendored), the print button, the scroll hint. No inline script. */
(function () {
  "use strict";

  function drawTrend() {
    var holder = document.getElementById("ranking-trend");
    var source = document.getElementById("ranking-trend-data");
    if (!holder || !source || typeof window.echarts === "undefined") { return; }
    var trend = JSON.parse(source.textContent);
    if (!trend.months || trend.months.length === 0 || trend.series.length === 0) {
      holder.hidden = true;
      return;
    }
    var chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "category", data: trend.months },
      yAxis: { type: "value", minInterval: 1 },
      series: trend.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 6 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function wirePrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // A table still wider than its box (a wide screen's many columns) says it scrolls sideways.
  function hintScrolling() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var hint = wrap.nextElementSibling;
      if (hint && hint.classList.contains("scroll-hint")) {
        hint.hidden = wrap.scrollWidth <= wrap.clientWidth;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wirePrint();
    drawTrend();
    hintScrolling();
    window.addEventListener("resize", hintScrolling);
  });
}());
