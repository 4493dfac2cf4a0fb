// The graph page's own script (kg/html.py inlines it; vis-network draws).
(function () {
  "use strict";
  var timings = window.kgTimings = {script: performance.now()};
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  timings.parsed = performance.now();
  var entities = data.entities, relations = data.relations, documents = data.documents;
  var panel = document.getElementById("kg-panel");
  var panelBody = document.getElementById("kg-panel-body");
  var filterBox = document.getElementById("kg-filter");
  var docSelect = document.getElementById("kg-doc");
  var statusLine = document.getElementById("kg-status");
  var physicsButton = document.getElementById("kg-physics");
  var graphButton = document.getElementById("kg-layout-graph");
  var geoButton = document.getElementById("kg-layout-geo");
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  var familyBoxes = all("input[data-family]");
  var relationBoxes = all("input[data-relation]");
  var modalityBoxes = all("input[data-modality]");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function plural(n, word) {
    if (n === 1) { return n + " " + word; }
    return n + " " + (/y$/.test(word) ? word.slice(0, -1) + "ies" : word + "s");
  }

  var LABEL_LIMIT = 800, LABEL_SCALE = 0.45;
  var searchKeys = {};
  var names = {};
  Object.keys(entities).forEach(function (id) {
    var e = entities[id];
    searchKeys[id] = fold([e.label].concat(e.aliases).join("\n"));
    [e.label].concat(e.aliases).forEach(function (n) { names[n] = true; });
  });
  var nameList = document.getElementById("kg-names");
  function fillNames() {  // on first use: thousands of options slow the start
    if (nameList.firstChild) { return; }
    Object.keys(names).sort().forEach(function (n) {
      var option = document.createElement("option"); option.value = n; nameList.appendChild(option);
    });
  }

  // Tooltips are plain strings: vis-network shows them with innerText.
  function nodeTip(id) {
    var e = entities[id], tip = [e.label, e.kinds.join(" / ")];
    if (e.aliases.length) { tip.push("Also: " + e.aliases.join(", ")); }
    tip.push(plural(e.edges.length, "relation") + " \u2014 click for the evidence");
    return tip.join("\n");
  }
  function edgeTip(id) {
    var r = relations[id], joiner = r.symmetric ? " \u2194 " : " \u2192 ";
    return entities[r.from].label + joiner + r.label + joiner + entities[r.to].label + "\n" +
      plural(r.count, "evidence sentence") + ", " + plural(r.sources, "document") + " \u2014 click to read";
  }
  // Large graphs get their edge labels once the user zooms in far enough to
  // read them: measuring thousands of labels up front delays the first frame.
  var lazyLabels = data.edges.length > LABEL_LIMIT;
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return Object.assign({}, n, {title: nodeTip(n.id)});
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var item = Object.assign({}, e, {title: edgeTip(e.id)});
    if (lazyLabels) { delete item.label; }
    return item;
  }));
  timings.datasets = performance.now();
  var network = new vis.Network(document.getElementById("kg-graph"),
                                {nodes: nodes, edges: edges}, data.options);
  timings.network = performance.now();

  function fitView() {
    network.fit({maxZoomLevel: 1.5, animation: false});
    // vis fits the nodes, not their labels: leave them a margin
    network.moveTo({scale: network.getScale() * 0.92, animation: false});
  }
  document.getElementById("kg-fit").addEventListener("click", fitView);
  function showLabels() {
    if (!lazyLabels || network.getScale() < LABEL_SCALE) { return; }
    lazyLabels = false;
    edges.update(data.edges.map(function (e) { return {id: e.id, label: e.label}; }));
  }
  network.on("zoom", showLabels);
  fitView();
  showLabels();
  network.once("afterDrawing", function () {
    timings.firstDraw = performance.now();
    window.kgReady = true;
    document.body.setAttribute("data-ready", "true");
    showStatus();
  });

  // ---- layouts: precomputed network and map positions; physics on demand ----
  var layout = "graph", savedPositions = null, physicsOn = false;
  function stopPhysics() {
    if (!physicsOn) { return; }
    physicsOn = false;
    network.setOptions({physics: {enabled: false}});
    physicsButton.textContent = "Run physics";
    physicsButton.setAttribute("aria-pressed", "false");
  }
  function startPhysics() {
    if (physicsOn || layout !== "graph") { return; }
    physicsOn = true;
    physicsButton.textContent = "Stop physics";
    physicsButton.setAttribute("aria-pressed", "true");
    network.once("stabilized", stopPhysics);
    network.setOptions({physics: {enabled: true}});
  }
  physicsButton.addEventListener("click", function () { if (physicsOn) { stopPhysics(); } else { startPhysics(); } });
  function setLayout(mode) {
    if (mode === layout) { return true; }
    if (mode === "geo" && !data.geo) { return false; }
    stopPhysics();
    if (mode === "geo") {
      savedPositions = network.getPositions();
      nodes.update(data.nodes.map(function (n) {
        var p = data.geo.positions[n.id]; return {id: n.id, x: p[0], y: p[1]};
      }));
    } else {
      nodes.update(data.nodes.map(function (n) {
        var p = savedPositions[n.id]; return {id: n.id, x: p.x, y: p.y};
      }));
    }
    layout = mode;
    graphButton.setAttribute("aria-pressed", String(mode === "graph"));
    geoButton.setAttribute("aria-pressed", String(mode === "geo"));
    physicsButton.disabled = mode !== "graph";
    fitView();
    return true;
  }
  graphButton.addEventListener("click", function () { setLayout("graph"); });
  geoButton.addEventListener("click", function () { setLayout("geo"); });
  network.on("beforeDrawing", function (ctx) {
    if (layout !== "geo") { return; }
    var g = data.geo, s = network.getScale(), f = g.frame;
    ctx.save();
    ctx.fillStyle = "#f3f7fa";
    ctx.fillRect(f[0], f[1], f[2] - f[0], f[3] - f[1]);
    ctx.lineWidth = 1 / s;
    ctx.strokeStyle = "#d5dee5";
    g.lines.forEach(function (l) {
      ctx.beginPath(); ctx.moveTo(l[0], l[1]); ctx.lineTo(l[2], l[3]); ctx.stroke();
    });
    ctx.strokeStyle = "#9fb3c2";
    ctx.strokeRect(f[0], f[1], f[2] - f[0], f[3] - f[1]);
    ctx.fillStyle = "#78909c";
    ctx.font = (11 / s) + "px system-ui, sans-serif";
    g.labels.forEach(function (l) { ctx.fillText(l[2], l[0], l[1]); });
    ctx.fillText("Equirectangular map; beyond the frame, distances are compressed",
                 f[0], f[1] - 8 / s);
    if (g.band) { ctx.fillText("Not near a mapped place:", g.band[0] - 60, g.band[1] - 40); }
    ctx.restore();
  });

  // ---- filters ----
  var docFilter = "";
  var dateRange = null;  // [first day, last day] (ISO), set by the timeline (kg/static/timeline.js)
  function checked(boxes) {
    var on = {};
    boxes.forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }
  var relationOn = checked(relationBoxes), modalityOn = checked(modalityBoxes);
  function sourcesOf(ev) { return ev.sources || [[ev.doc, ev.begin, ev.end]]; }
  function inDocument(ev, id) {
    return sourcesOf(ev).some(function (src) { return src[0] === id; });
  }
  function datePasses(ev) {  // the evidence's period overlaps the range; undated only without one
    return !dateRange || (Boolean(ev.when) && ev.until >= dateRange[0] && ev.when <= dateRange[1]);
  }
  function evidencePasses(ev) {
    if (docFilter && !inDocument(ev, docFilter)) { return false; }
    if (!datePasses(ev)) { return false; }
    return modalityOn[ev.modality || "asserted"] !== false;
  }
  function edgePassesClaims(rel) {
    if (!rel.evidence.length) { return !docFilter && !dateRange && modalityOn.asserted !== false; }
    return rel.evidence.some(evidencePasses);
  }
  function visibleCounts() {
    return {
      nodes: nodes.get({filter: function (n) { return !n.hidden; }}).length,
      edges: edges.get({filter: function (e) { return !e.hidden; }}).length
    };
  }
  function showStatus() {
    var c = visibleCounts();
    statusLine.textContent = "Showing " + c.nodes + " of " + data.nodes.length + " entities, " +
      c.edges + " of " + data.edges.length + " relations";
  }
  function applyFilters() {
    relationOn = checked(relationBoxes);
    modalityOn = checked(modalityBoxes);
    docFilter = docSelect.value;
    var query = fold(filterBox.value.trim());
    var active = Boolean(query || docFilter || dateRange) ||
      relationBoxes.some(function (b) { return !b.checked; }) ||
      modalityBoxes.some(function (b) { return !b.checked && !b.disabled; });
    var matched = null;
    if (query) {
      matched = {};
      Object.keys(searchKeys).forEach(function (id) {
        if (searchKeys[id].indexOf(query) !== -1) { matched[id] = true; }
      });
    }
    var shown = {};
    var edgeUpdates = data.edges.map(function (e) {
      var rel = relations[e.id];
      var visible = relationOn[rel.relation] !== false && edgePassesClaims(rel);
      if (visible && matched) { visible = Boolean(matched[rel.from] || matched[rel.to]); }
      if (visible) { shown[rel.from] = true; shown[rel.to] = true; }
      return {id: e.id, hidden: !visible};
    });
    // An entity shows while one of its relations does; one with no relation
    // at all shows unless the actor or document filter leaves it out.
    var narrowed = Boolean(query || docFilter || dateRange);
    var nodeUpdates = data.nodes.map(function (n) {
      var visible = !active || Boolean(shown[n.id] || (matched && matched[n.id])) ||
        (!narrowed && !entities[n.id].edges.length);
      return {id: n.id, hidden: !visible};
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    showStatus();
    if (current && !panel.hidden) {  // the open panel follows the filters
      var scroll = panel.scrollTop;
      current();
      panel.scrollTop = scroll;
    }
    return visibleCounts();
  }
  function setDateRange(first, last) {
    dateRange = first || last ? [first || "0000-01-01", last || "9999-12-31"] : null;
    return applyFilters();
  }
  function syncFamily(family) {
    var box = familyBoxes.filter(function (b) { return b.value === family; })[0];
    var members = relationBoxes.filter(function (b) { return b.getAttribute("data-of") === family; });
    var on = members.filter(function (b) { return b.checked; }).length;
    if (box) { box.checked = on > 0; box.indeterminate = on > 0 && on < members.length; }
  }
  familyBoxes.forEach(function (box) {
    box.addEventListener("change", function () {
      relationBoxes.forEach(function (r) {
        if (r.getAttribute("data-of") === box.value) { r.checked = box.checked; }
      });
      box.indeterminate = false;
      applyFilters();
    });
  });
  relationBoxes.forEach(function (box) {
    box.addEventListener("change", function () { syncFamily(box.getAttribute("data-of")); applyFilters(); });
  });
  modalityBoxes.forEach(function (box) { box.addEventListener("change", applyFilters); });
  filterBox.addEventListener("input", applyFilters);
  filterBox.addEventListener("focus", fillNames);
  function setDocumentFilter(id) {
    docSelect.value = id && documents[id] ? id : "";
    return applyFilters();
  }
  docSelect.addEventListener("change", function () {
    applyFilters();
    if (docSelect.value) { showDocument(docSelect.value); }
  });

  // ---- evidence panel (DOM built with textContent only) ----
  var current = null;  // re-renders the open panel
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function openPanel(refresh) { panel.hidden = false; panel.scrollTop = 0; current = refresh || null; }
  function closePanel() { panel.hidden = true; clear(panelBody); network.unselectAll(); current = null; }
  function whenText(ev) {
    if (ev.precision === "year") { return ev.when.slice(0, 4); }
    if (ev.precision === "month") { return ev.when.slice(0, 7); }
    if (ev.precision === "week") { return "week of " + ev.when; }
    return ev.when;
  }
  function whenLine(ev) {
    if (ev.when) {
      var span = el("span", "kg-when", "when: ");
      var time = el("time", null, whenText(ev));
      time.setAttribute("datetime", ev.when);
      span.appendChild(time);
      var how = ev.dated === "inherited" ? "the document's date" : (ev.expr ? "\u201c" + ev.expr + "\u201d" : ev.dated);
      span.appendChild(document.createTextNode(" (" + ev.precision + (how ? ", " + how : "") + ")"));
      span.setAttribute("data-precision", ev.precision);
      return span;
    }
    if (ev.dated === "unresolved") {
      return el("span", "kg-when kg-undated", "when: not known (\u201c" + (ev.expr || "") +
                "\u201d; the document has no date)");
    }
    return null;
  }
  function familyBox(family) { return familyBoxes.filter(function (b) { return b.value === family; })[0]; }
  function familyColor(family) {
    var box = familyBox(family), line = box && box.parentNode.querySelector(".kg-line");
    return line ? line.style.backgroundColor : "#555";
  }
  function familyLabel(family) {
    var box = familyBox(family);
    return box ? box.parentNode.textContent.replace(/\s*\(\d+\)\s*$/, "").trim() : family;
  }
  function relationTitle(rel, tag) {
    var h = el(tag);
    h.appendChild(document.createTextNode(entities[rel.from].label + " "));
    var name = el("span", "kg-rel-name", (rel.symmetric ? "\u2194 " : "\u2192 ") + rel.label +
                  (rel.symmetric ? " \u2194" : " \u2192"));
    name.style.color = familyColor(rel.family);
    h.appendChild(name);
    h.appendChild(document.createTextNode(" " + entities[rel.to].label));
    return h;
  }
  function docLink(id) {
    var button = el("button", "kg-doc-link");
    button.type = "button";
    button.setAttribute("data-doc", id);
    button.title = "List every relation from this document";
    button.appendChild(el("code", null, id));
    button.addEventListener("click", function () { showDocument(id); });
    return button;
  }
  function evidenceList(items) {
    var list = el("ol", "kg-evidence");
    items.forEach(function (ev) {
      var item = el("li", evidencePasses(ev) ? null : "kg-dim");
      if (!evidencePasses(ev)) { item.title = "Hidden by the current filters"; }
      var quote = el("blockquote", "kg-sentence");
      ev.parts.forEach(function (part, i) {
        if (!part) { return; }
        quote.appendChild(i % 2 ? el("mark", null, part) : document.createTextNode(part));
      });
      item.appendChild(quote);
      var source = el("p", "kg-source");
      var sources = sourcesOf(ev);
      var doc = ev.doc && sources.length === 1 ? documents[ev.doc] || {} : {};
      if (sources.length > 1) {  // one sentence that several documents print
        source.appendChild(el("span", "kg-badge kg-sources", sources.length + " sources"));
      }
      sources.forEach(function (src) {
        if (!src[0]) { return; }
        var where = el("span");
        where.appendChild(docLink(src[0]));
        if (src[1] !== null && src[2] !== null) {
          where.appendChild(document.createTextNode(" chars " + src[1] + "\u2013" + src[2]));
        }
        source.appendChild(where);
      });
      if (doc.title) { var cite = el("span"); cite.appendChild(el("cite", null, doc.title)); source.appendChild(cite); }
      if (doc.publisher) { source.appendChild(el("span", "kg-publisher", doc.publisher)); }
      if (doc.date) { var d = el("span"); d.appendChild(el("time", null, doc.date)); source.appendChild(d); }
      var when = whenLine(ev);
      if (when) { source.appendChild(when); }
      if (ev.speaker) { source.appendChild(el("span", "kg-speaker", "according to " + ev.speaker)); }
      if (ev.modality) {
        var badge = el("span", "kg-badge kg-modality", ev.modality);
        badge.classList.add("kg-mod-" + String(ev.modality).replace(/[^a-z]/g, ""));
        var wrap = el("span"); wrap.appendChild(badge); source.appendChild(wrap);
      }
      if (source.firstChild) { item.appendChild(source); }
      list.appendChild(item);
    });
    if (!items.length) { list.appendChild(el("li", null, "No evidence recorded.")); }
    return list;
  }
  var EXPANDED = 15;  // relations listed with their sentences; the rest by title only
  function relationSection(eid, items, expand) {
    var section = el("section", "kg-rel");
    var link = relationTitle(relations[eid], "button");
    link.className = "kg-rel-link";
    link.type = "button";
    link.setAttribute("data-edge", eid);
    link.addEventListener("click", function () { selectEdge(eid); });
    section.appendChild(link);
    if (expand) { section.appendChild(evidenceList(items)); }
    else { section.appendChild(el("p", "kg-meta", plural(items.length, "evidence sentence"))); }
    return section;
  }
  function showEdge(id) {
    var rel = relations[id];
    if (!rel) { return false; }
    clear(panelBody);
    panelBody.appendChild(el("p", "kg-kind", "Relation \u00b7 " + familyLabel(rel.family)));
    panelBody.appendChild(relationTitle(rel, "h2"));
    panelBody.appendChild(el("p", "kg-meta", plural(rel.count, "evidence sentence") + " from " +
                             plural(rel.sources, "document")));
    panelBody.appendChild(evidenceList(rel.evidence));
    openPanel(function () { showEdge(id); });
    return true;
  }
  function showNode(id) {
    var ent = entities[id];
    if (!ent) { return false; }
    clear(panelBody);
    panelBody.appendChild(el("p", "kg-kind", ent.kinds.join(" \u00b7 ")));
    panelBody.appendChild(el("h2", null, ent.label));
    if (ent.aliases.length) {
      panelBody.appendChild(el("p", "kg-meta", "Also known as: " + ent.aliases.join(", ")));
    }
    if (ent.lat !== null && ent.long !== null) {
      panelBody.appendChild(el("p", "kg-meta", "Coordinates: " + ent.lat + ", " + ent.long));
    }
    if (ent.geonames) {
      var link = el("a", "kg-geonames", "GeoNames " + ent.geonames.split("/")[3]);
      link.href = ent.geonames;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      var line = el("p", "kg-meta", "Same place: ");
      line.appendChild(link);
      panelBody.appendChild(line);
    }
    panelBody.appendChild(el("p", "kg-meta", plural(ent.edges.length, "relation")));
    ent.edges.forEach(function (eid, i) {
      panelBody.appendChild(relationSection(eid, relations[eid].evidence, i < EXPANDED));
    });
    openPanel(function () { showNode(id); });
    return true;
  }
  function showDocument(id) {
    var doc = documents[id];
    if (!doc) { return false; }
    network.unselectAll();
    clear(panelBody);
    panelBody.appendChild(el("p", "kg-kind", "Document"));
    var h = el("h2");
    if (doc.title) { h.appendChild(el("cite", null, doc.title)); } else { h.textContent = id; }
    panelBody.appendChild(h);
    var meta = el("p", "kg-meta kg-source");
    meta.appendChild(el("code", null, id));
    if (doc.publisher) { meta.appendChild(el("span", "kg-publisher", doc.publisher)); }
    if (doc.date) { var d = el("span"); d.appendChild(el("time", null, doc.date)); meta.appendChild(d); }
    if (doc.path) { meta.appendChild(el("span", "kg-path", doc.path)); }
    panelBody.appendChild(meta);
    panelBody.appendChild(el("p", "kg-meta", plural(doc.edges.length, "relation") + " with evidence from this document"));
    var only = el("button", "kg-action", docFilter === id ? "Show all documents" : "Show only this document");
    only.type = "button";
    only.addEventListener("click", function () {
      setDocumentFilter(docFilter === id ? "" : id);
      only.textContent = docFilter === id ? "Show all documents" : "Show only this document";
    });
    panelBody.appendChild(only);
    var ids = doc.edges.slice();
    ids.forEach(function (eid, i) {
      var items = relations[eid].evidence.filter(function (ev) { return inDocument(ev, id); });
      panelBody.appendChild(relationSection(eid, items, i < EXPANDED));
    });
    if (ids.length) { network.selectEdges(ids.filter(function (eid) { return !edges.get(eid).hidden; })); }
    openPanel(function () { showDocument(id); });
    return true;
  }
  function selectEdge(id) {
    if (!relations[id]) { return false; }
    network.selectEdges([id]);
    return showEdge(id);
  }
  function selectNode(id) {
    if (!entities[id]) { return false; }
    network.selectNodes([id]);
    return showNode(id);
  }
  network.on("click", function (params) {
    if (params.nodes.length) { selectNode(params.nodes[0]); }
    else if (params.edges.length) { selectEdge(params.edges[0]); }
    else { closePanel(); }
  });
  document.getElementById("kg-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { closePanel(); }
  });

  window.kgNetwork = network;
  window.kgNodes = nodes;
  window.kgEdges = edges;
  window.kgSelectEdge = selectEdge;
  window.kgSelectNode = selectNode;
  window.kgSelectDocument = showDocument;
  window.kgSetDocumentFilter = setDocumentFilter;
  window.kgSetLayout = setLayout;
  window.kgLayout = function () { return layout; };
  window.kgEntities = entities;
  window.kgRelations = relations;
  window.kgDocuments = documents;
  window.kgVisibleCounts = visibleCounts;
  window.kgApplyFilters = applyFilters;
  window.kgSetDateRange = setDateRange;
  window.kgDateRange = function () { return dateRange; };
  window.kgData = data;
  // for the page's other script (kg/static/timeline.js): the panel's parts
  window.kgPanel = {
    el: el,
    start: function () { clear(panelBody); return panelBody; },
    open: openPanel,
    evidenceList: evidenceList,
    relationSection: function (eid, expand) { return relationSection(eid, relations[eid].evidence, expand); }
  };
  showStatus();
}());
