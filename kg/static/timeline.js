// The timeline and the agreements list of kg's graph page (kg/html.py inlines this file).
//
// The timeline is a histogram of evidence sentences by month (the month their
// date starts in; stated dates dark, dates inherited from the document light)
// under two range sliders. A range keeps the evidence whose period overlaps it;
// the page's filter (kgSetDateRange, in the page's main script) then hides the
// edges with no such evidence, the nodes left without edges, and dims the
// sentences of the evidence panel. Undated evidence shows only with the full
// range. The agreements list shows kind, parties, broker, places and date; a
// click selects the parties and the edges the agreement stands for and shows
// its sentence. Everything is built with textContent: no markup from the data.
(function () {
  "use strict";
  var data = window.kgData, api = window.kgPanel;
  if (!data || !api) { return; }
  var timeline = data.timeline, months = timeline.months;
  var box = document.getElementById("kg-timeline");
  var list = document.getElementById("kg-agreements");
  var el = api.el;

  var NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function monthName(month) { return NAMES[Number(month.slice(5, 7)) - 1] + " " + month.slice(0, 4); }
  function lastDay(month) {
    var y = Number(month.slice(0, 4)), m = Number(month.slice(5, 7));
    var days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return month + "-" + (days < 10 ? "0" : "") + days;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // ---- the histogram and its range ----
  var fromBox = null, toBox = null, bars = [], label = null;
  function range() {
    var a = Number(fromBox.value), b = Number(toBox.value);
    return a <= b ? [a, b] : [b, a];
  }
  function update() {
    var r = range(), full = r[0] === 0 && r[1] === months.length - 1;
    bars.forEach(function (bar, i) { bar.classList.toggle("kg-out", i < r[0] || i > r[1]); });
    label.textContent = full ? "All dates" : (r[0] === r[1] ? monthName(months[r[0]])
      : monthName(months[r[0]]) + " \u2013 " + monthName(months[r[1]]));
    window.kgSetDateRange(full ? null : months[r[0]] + "-01", full ? null : lastDay(months[r[1]]));
    renderAgreements();
  }
  function setMonths(first, last) {  // for tests and the console: month indexes or "YYYY-MM"
    var a = typeof first === "string" ? months.indexOf(first) : first;
    var b = typeof last === "string" ? months.indexOf(last) : last;
    if (a < 0 || b < 0) { return false; }
    fromBox.value = String(a); toBox.value = String(b);
    update();
    return window.kgVisibleCounts();
  }
  function buildTimeline() {
    if (!box) { return; }
    var head = el("div", "kg-tl-head");
    head.appendChild(el("strong", null, "When"));
    label = el("span", "kg-tl-range", "All dates");
    head.appendChild(label);
    var reset = el("button", "kg-tl-reset", "All dates");
    reset.type = "button";
    reset.addEventListener("click", function () { setMonths(0, months.length - 1); });
    head.appendChild(reset);
    var undated = el("span", "kg-tl-note",
      plural(timeline.undated, "undated sentence") + (timeline.undated ? " (shown with all dates only)" : ""));
    head.appendChild(undated);
    box.appendChild(head);
    if (!months.length) {
      box.appendChild(el("p", "kg-tl-note", "No evidence is dated."));
      return;
    }
    var peak = 1;
    months.forEach(function (m, i) { peak = Math.max(peak, timeline.stated[i] + timeline.inherited[i]); });
    var chart = el("div", "kg-tl-bars");
    chart.setAttribute("role", "img");
    chart.setAttribute("aria-label", "Evidence sentences by month");
    months.forEach(function (m, i) {
      var stated = timeline.stated[i], inherited = timeline.inherited[i];
      var bar = el("div", "kg-tl-bar");
      bar.setAttribute("data-month", m);
      bar.setAttribute("data-count", String(stated + inherited));
      bar.title = monthName(m) + ": " + plural(stated + inherited, "sentence") +
        (inherited ? " (" + inherited + " dated by their document)" : "");
      var top = el("div", "kg-tl-inherited"), bottom = el("div", "kg-tl-stated");
      top.style.height = (100 * inherited / peak) + "%";
      bottom.style.height = (100 * stated / peak) + "%";
      bar.appendChild(top); bar.appendChild(bottom);
      bar.addEventListener("click", function () { setMonths(i, i); });
      chart.appendChild(bar);
      bars.push(bar);
    });
    box.appendChild(chart);
    var axis = el("div", "kg-tl-axis");
    axis.appendChild(el("span", null, monthName(months[0])));
    axis.appendChild(el("span", null, monthName(months[months.length - 1])));
    box.appendChild(axis);
    var sliders = el("div", "kg-tl-sliders");
    fromBox = el("input"); toBox = el("input");
    [[fromBox, "0", "From month"], [toBox, String(months.length - 1), "To month"]].forEach(function (spec) {
      var input = spec[0];
      input.type = "range"; input.min = "0"; input.max = String(months.length - 1); input.step = "1";
      input.value = spec[1];
      input.setAttribute("aria-label", spec[2]);
      input.addEventListener("input", update);
      sliders.appendChild(input);
    });
    fromBox.id = "kg-tl-from"; toBox.id = "kg-tl-to";
    box.appendChild(sliders);
  }

  // ---- agreements ----
  function dateText(item) {
    if (!item.when) { return "undated"; }
    if (item.precision === "year") { return item.when.slice(0, 4); }
    if (item.precision === "month") { return monthName(item.when.slice(0, 7)); }
    if (item.precision === "week") { return "week of " + item.when; }
    return item.when;
  }
  function inRange(item) {
    var r = window.kgDateRange();
    if (!r) { return true; }
    return Boolean(item.when) && item.until >= r[0] && item.when <= r[1];
  }
  function names(item, ids) { return ids.map(function (id) { return item.names[id] || id; }); }
  function showAgreement(index) {
    var item = data.agreements[index];
    if (!item) { return false; }
    var nodes = item.parties.concat(item.brokers).filter(function (id) { return window.kgEntities[id]; });
    var edges = item.edges.filter(function (id) { return !window.kgEdges.get(id).hidden; });
    window.kgNetwork.setSelection({nodes: nodes, edges: edges}, {unselectAll: true, highlightEdges: false});
    var body = api.start();
    body.appendChild(el("p", "kg-kind", "Agreement \u00b7 " + item.kind));
    body.appendChild(el("h2", null, names(item, item.parties).join(" \u2013 ") || item.label));
    var facts = [["Kind", item.kind], ["Parties", names(item, item.parties).join(", ")],
                 ["Broker", names(item, item.brokers).join(", ")], ["Place", names(item, item.places).join(", ")],
                 ["Date", dateText(item) + (item.when ? " (" + item.precision + ", " + item.dated + ")" : "")]];
    var dl = el("dl", "kg-facts");
    facts.forEach(function (f) {
      if (!f[1]) { return; }
      dl.appendChild(el("dt", null, f[0])); dl.appendChild(el("dd", null, f[1]));
    });
    body.appendChild(dl);
    body.appendChild(api.evidenceList([{doc: item.doc, begin: item.begin, end: item.end, parts: [item.text],
                                        when: item.when, until: item.until, precision: item.precision,
                                        dated: item.dated, expr: null}]));
    body.appendChild(el("p", "kg-meta", plural(edges.length, "relation") + " selected"));
    item.edges.forEach(function (eid, i) { body.appendChild(api.relationSection(eid, i < 5)); });
    api.open(function () { showAgreement(index); }, "a:" + index);
    return {nodes: nodes, edges: edges};
  }
  var agreementButtons = [];
  function renderAgreements() {
    agreementButtons.forEach(function (b) {
      var item = data.agreements[Number(b.getAttribute("data-agreement"))];
      b.parentNode.hidden = !inRange(item);
    });
  }
  function buildAgreements() {
    if (!list) { return; }
    list.appendChild(el("legend", null, "Agreements (" + data.agreements.length + ")"));
    if (!data.agreements.length) { list.appendChild(el("p", "kg-tl-note", "None found.")); return; }
    var ol = el("ol", "kg-agreement-list");
    data.agreements.forEach(function (item, i) {
      var li = el("li");
      var button = el("button", "kg-agreement");
      button.type = "button";
      button.setAttribute("data-agreement", String(i));
      button.appendChild(el("span", "kg-ag-date", dateText(item)));
      button.appendChild(el("span", "kg-ag-kind", item.kind));
      button.appendChild(el("span", "kg-ag-parties", names(item, item.parties).join(" \u2013 ")));
      if (item.brokers.length) { button.appendChild(el("span", "kg-ag-broker", "broker: " + names(item, item.brokers).join(", "))); }
      if (item.places.length) { button.appendChild(el("span", "kg-ag-place", names(item, item.places).join(", "))); }
      button.addEventListener("click", function () { showAgreement(i); });
      li.appendChild(button);
      ol.appendChild(li);
      agreementButtons.push(button);
    });
    list.appendChild(ol);
  }

  buildTimeline();
  buildAgreements();
  window.kgSetMonths = setMonths;
  window.kgSelectAgreement = showAgreement;
}());
