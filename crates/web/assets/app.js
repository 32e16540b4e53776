// fanzha pages: deadline countdowns, dashboard charts, bulk selection, auto-submitting
// filters and error toasts. Loaded as a file (the CSP allows no inline script).
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // Every [data-deadline] (epoch ms UTC) shows the time left, red once passed.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Number(el.getAttribute("data-deadline")) - now;
      var late = left < 0;
      var s = Math.floor(Math.abs(left) / 1000);
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      el.textContent = (late ? "-" : "") + (h > 0 ? h + ":" + pad(m) : m) + ":" + pad(sec);
      el.classList.toggle("late", late);
      el.classList.toggle("soon", !late && left < 5 * 60 * 1000);
    });
    // Every [data-since] (epoch ms UTC) shows the time elapsed since.
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var s = Math.max(0, Math.floor((now - Number(el.getAttribute("data-since"))) / 1000));
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      el.textContent = (h > 0 ? h + ":" + pad(m) : m) + ":" + pad(sec);
    });
  }

  var charts = {};
  function chart(id) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return null;
    if (charts[id] && charts[id].getDom() === el) return charts[id];
    if (charts[id]) charts[id].dispose();
    charts[id] = echarts.init(el, null, { renderer: "canvas" });
    return charts[id];
  }

  function drawDashboard() {
    var data = document.getElementById("dash-data");
    if (!data) return;
    var d;
    try { d = JSON.parse(data.textContent); } catch (e) { return; }
    var hourly = chart("chart-hourly");
    if (hourly) {
      hourly.setOption({
        animation: false,
        grid: { left: 36, right: 12, top: 28, bottom: 24 },
        legend: { top: 0 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.hours },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: d.labels.red, type: "bar", stack: "w", data: d.red, itemStyle: { color: "#d62828" } },
          { name: d.labels.orange, type: "bar", stack: "w", data: d.orange, itemStyle: { color: "#f77f00" } },
          { name: d.labels.yellow, type: "bar", stack: "w", data: d.yellow, itemStyle: { color: "#e9c46a" } }
        ]
      });
    }
    var units = chart("chart-units");
    if (units) {
      var maxOverdue = Math.max.apply(null, [1].concat(d.units.map(function (u) { return u.overdue; })));
      // A unit with little work still gets a tile its name fits in: sizes below an eighth of
      // the busiest are raised to it (the label and tooltip give the counts).
      var floor = Math.max.apply(null, [1].concat(d.units.map(function (u) { return u.value; }))) / 8;
      units.setOption({
        animation: false,
        tooltip: { formatter: function (p) { var u = p.data; return u.name + "<br>" + d.labels.open + " " + u.open + " · " + d.labels.overdue + " " + u.overdue; } },
        series: [{
          type: "treemap", roam: false, nodeClick: false, breadcrumb: { show: false },
          left: 0, top: 8, width: "100%", height: "92%",
          label: { formatter: function (p) { return p.data.name + "\n" + p.data.open + " / " + p.data.overdue; } },
          data: d.units.map(function (u) {
            var t = u.overdue / maxOverdue;
            var color = u.overdue === 0 ? "#2a9d8f" : "rgb(" + Math.round(233 + 22 * t) + "," + Math.round(196 - 156 * t) + "," + Math.round(106 - 66 * t) + ")";
            return { name: u.name, value: Math.max(u.value, floor), open: u.open, overdue: u.overdue, itemStyle: { color: color } };
          })
        }]
      });
    }
  }

  // 统计: cases, losses (yuan, right axis) and warnings of the last twelve months.
  function drawTrend() {
    var data = document.getElementById("trend-data");
    if (!data) return;
    var d;
    try { d = JSON.parse(data.textContent); } catch (e) { return; }
    var trend = chart("chart-trend");
    if (!trend) return;
    trend.setOption({
      animation: false,
      grid: { left: 44, right: 72, top: 32, bottom: 24 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.months },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", position: "right", axisLabel: { formatter: "¥{value}" } }
      ],
      series: [
        { name: d.labels.cases, type: "line", data: d.cases, itemStyle: { color: "#d62828" } },
        { name: d.labels.warnings, type: "line", data: d.warnings, itemStyle: { color: "#f77f00" } },
        { name: d.labels.loss, type: "line", yAxisIndex: 1, data: d.loss, itemStyle: { color: "#264653" } }
      ]
    });
  }

  // 综合考核: each unit's composite score, best at the top.
  function drawAssessment() {
    var data = document.getElementById("assessment-data");
    if (!data) return;
    var d;
    try { d = JSON.parse(data.textContent); } catch (e) { return; }
    var bars = chart("chart-assessment");
    if (!bars) return;
    bars.setOption({
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", inverse: true, data: d.units },
      series: [{ name: d.label, type: "bar", data: d.totals, itemStyle: { color: "#264653" },
        label: { show: true, position: "right", formatter: function (p) { return p.value.toFixed(2); } } }]
    });
  }

  function toast(text) {
    var t = document.createElement("div");
    t.className = "toast";
    t.setAttribute("role", "alert");
    t.textContent = text;
    document.body.appendChild(t);
    setTimeout(function () { t.remove(); }, 6000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    drawDashboard();
    drawTrend();
    drawAssessment();
    window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  });

  document.addEventListener("htmx:afterSettle", function () { tick(); drawDashboard(); });

  // Errors come back as {code, message, what_to_do}: show them instead of failing silently.
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr, msg = xhr.status + "";
    try { var b = JSON.parse(xhr.responseText); msg = b.message + (b.what_to_do ? " — " + b.what_to_do : ""); } catch (err) { /* not JSON */ }
    toast(msg);
  });

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.matches && t.matches("select[data-autosubmit]")) t.form.submit();
    if (t.id === "check-all") {
      document.querySelectorAll("input.pick:not(:disabled)").forEach(function (c) { c.checked = t.checked; });
    }
  });

  // Bulk sign sends the ids of the checked rows.
  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.elt && e.detail.elt.id === "bulk") {
      var ids = [];
      document.querySelectorAll("input.pick:checked").forEach(function (c) { ids.push(c.value); });
      e.detail.parameters.ids = ids.join(",");
    }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.elt && e.detail.elt.id === "bulk" && e.detail.successful) {
      setTimeout(function () { location.reload(); }, 800);
    }
  });

  // Top-bar menus: one open at a time; a click elsewhere or Escape closes them.
  function closeMenus(except) {
    document.querySelectorAll(".topbar details.menu[open]").forEach(function (d) {
      if (d !== except) { d.removeAttribute("open"); }
    });
  }
  document.addEventListener("click", function (e) {
    closeMenus(e.target.closest ? e.target.closest(".topbar details.menu") : null);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { closeMenus(null); }
  });
})();
