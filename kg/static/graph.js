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
  // vis-network draws no label: the page draws them itself (see "labels" below),
  // at a fixed screen size, the most connected first, never overlapping.
  var nodeText = {}, edgeColor = {};
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    nodeText[n.id] = n.label;
    var item = Object.assign({}, n, {title: nodeTip(n.id), hidden: false});
    delete item.label;
    return item;
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    edgeColor[e.id] = (e.font && e.font.color) || "#444";
    var item = Object.assign({}, e, {title: edgeTip(e.id), hidden: false});
    delete item.label;
    delete item.font;
    return item;
  }));
  timings.datasets = performance.now();
  var network = new vis.Network(document.getElementById("kg-graph"),
                                {nodes: nodes, edges: edges}, data.options);
  timings.network = performance.now();
  var hiddenNode = {}, hiddenEdge = {};
  data.nodes.forEach(function (n) { hiddenNode[n.id] = false; });
  data.edges.forEach(function (e) { hiddenEdge[e.id] = false; });
  var shownCount = {};  // evidence sentences of each edge that pass the filters
  Object.keys(relations).forEach(function (id) { shownCount[id] = relations[id].count; });
  function edgeText(id) {
    var n = shownCount[id];
    return relations[id].label + (n > 1 ? " \u00d7" + n : "");
  }

  function fitView() {
    network.fit({maxZoomLevel: 1.5, animation: false});
    // vis fits the nodes, not their labels: leave them a margin
    network.moveTo({scale: network.getScale() * 0.92, animation: false});
  }
  function fitVisible() {  // zoom to what the filters leave
    network.setSize("100%", "100%");  // the stage may just have narrowed (the panel opened)
    var ids = data.nodes.filter(function (n) { return !hiddenNode[n.id]; }).map(function (n) { return n.id; });
    if (!ids.length) { return; }
    if (ids.length === data.nodes.length) { fitView(); return; }
    network.fit({nodes: ids, maxZoomLevel: 1.5, animation: false});
    network.moveTo({scale: network.getScale() * 0.85, animation: false});
  }
  document.getElementById("kg-fit").addEventListener("click", fitView);
  fitView();
  var drawn = false, restored = false;
  function ready() {  // drawn once, and the view of the URL restored
    if (!drawn || !restored) { return; }
    window.kgReady = true;
    document.body.setAttribute("data-ready", "true");
    showStatus();
  }
  network.once("afterDrawing", function () {
    timings.firstDraw = performance.now();
    drawn = true;
    ready();
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
      savedPositions = network.getPositions(data.nodes.map(function (n) { return n.id; }));  // hidden ones too
      nodes.update(data.nodes.map(function (n) {
        var p = data.geo.positions[n.id]; return {id: n.id, x: p[0], y: p[1]};
      }));
    } else {
      nodes.update(data.nodes.map(function (n) {
        var p = savedPositions[n.id] || n; return {id: n.id, x: p.x, y: p.y};
      }));
    }
    layout = mode;
    graphButton.setAttribute("aria-pressed", String(mode === "graph"));
    geoButton.setAttribute("aria-pressed", String(mode === "geo"));
    physicsButton.disabled = mode !== "graph";
    fitVisible();
    saveState();
    return true;
  }
  graphButton.addEventListener("click", function () { setLayout("graph"); });
  geoButton.addEventListener("click", function () { setLayout("geo"); });
  network.on("beforeDrawing", function (ctx) {
    if (layout !== "geo") { return; }
    var g = data.geo, s = network.getScale(), f = g.frame;
    ctx.save();
    ctx.fillStyle = g.outlines ? "#e4eef5" : "#f3f7fa";  // sea, or no outlines
    ctx.fillRect(f[0], f[1], f[2] - f[0], f[3] - f[1]);
    if (g.outlines) {  // Natural Earth 1:110m countries (kg/outlines.py), clipped to the frame
      ctx.save();
      ctx.beginPath();
      ctx.rect(f[0], f[1], f[2] - f[0], f[3] - f[1]);
      ctx.clip();
      ctx.fillStyle = "#fbfaf4";
      ctx.strokeStyle = "#aab7c0";
      ctx.lineWidth = 1.2 / s;
      ctx.lineJoin = "round";
      g.outlines.forEach(function (r) {
        ctx.beginPath();
        ctx.moveTo(r[0], r[1]);
        for (var i = 2; i < r.length; i += 2) { ctx.lineTo(r[i], r[i + 1]); }
        ctx.closePath();
        ctx.fill();
        ctx.stroke();
      });
      ctx.restore();
    }
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
    ctx.fillText("Equirectangular map" + (g.outlines ? " (outlines: Natural Earth 1:110m)" : "") +
                 "; beyond the frame, distances are compressed", f[0], f[1] - 8 / s);
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
      nodes: data.nodes.filter(function (n) { return !hiddenNode[n.id]; }).length,
      edges: data.edges.filter(function (e) { return !hiddenEdge[e.id]; }).length
    };
  }
  function showStatus() {
    var c = visibleCounts();
    statusLine.textContent = "Showing " + c.nodes + " of " + data.nodes.length + " entities, " +
      c.edges + " of " + data.edges.length + " relations";
  }
  // the counts of the side bar, as the page was built (data-total) and as the filters leave them
  var countSpans = {relation: {}, family: {}, modality: {}};
  [["relation", relationBoxes], ["family", familyBoxes], ["modality", modalityBoxes]].forEach(function (spec) {
    spec[1].forEach(function (box) {
      var span = box.parentNode.querySelector(".kg-n");
      if (span) { span.setAttribute("data-total", span.textContent.replace(/[()]/g, "")); countSpans[spec[0]][box.value] = span; }
    });
  });
  function showCounts(kind, counts, narrowed) {
    Object.keys(countSpans[kind]).forEach(function (key) {
      var span = countSpans[kind][key], total = span.getAttribute("data-total");
      span.textContent = "(" + (narrowed ? (counts[key] || 0) + " of " + total : total) + ")";
    });
  }
  function edgeWidth(n) { return Math.round(100 * (1.5 + 1.5 * Math.log2(Math.max(n, 1)))) / 100; }
  var focusId = "";
  function applyFilters(options) {
    relationOn = checked(relationBoxes);
    modalityOn = checked(modalityBoxes);
    docFilter = docSelect.value;
    var query = fold(filterBox.value.trim());
    var narrowed = Boolean(query || docFilter || dateRange || focusId);
    var active = narrowed ||
      relationBoxes.some(function (b) { return !b.checked; }) ||
      modalityBoxes.some(function (b) { return !b.checked && !b.disabled; });
    var matched = null;
    if (query) {
      matched = {};
      Object.keys(searchKeys).forEach(function (id) {
        if (searchKeys[id].indexOf(query) !== -1) { matched[id] = true; }
      });
    }
    var shown = {}, relCounts = {}, famCounts = {}, modCounts = {};
    var evidenceNarrowed = Boolean(docFilter || dateRange);
    var edgeUpdates = [];
    data.edges.forEach(function (e) {
      var rel = relations[e.id];
      var passing = rel.evidence.filter(evidencePasses).length;
      var claims = rel.evidence.length ? passing > 0 : edgePassesClaims(rel);
      var visible = claims;
      if (visible && matched) { visible = Boolean(matched[rel.from] || matched[rel.to]); }
      if (visible && focusId) { visible = rel.from === focusId || rel.to === focusId; }
      if (visible) {  // counted before the relation boxes: a box shows what it would add
        relCounts[rel.relation] = (relCounts[rel.relation] || 0) + 1;
        famCounts[rel.family] = (famCounts[rel.family] || 0) + 1;
      }
      if (relationOn[rel.relation] !== false) {
        rel.evidence.forEach(function (ev) {
          if ((!docFilter || inDocument(ev, docFilter)) && datePasses(ev)) {
            var m = ev.modality || "asserted";
            modCounts[m] = (modCounts[m] || 0) + 1;
          }
        });
      }
      visible = visible && relationOn[rel.relation] !== false;
      if (visible) { shown[rel.from] = true; shown[rel.to] = true; }
      var count = evidenceNarrowed && rel.evidence.length ? passing : rel.count;
      var update = {id: e.id};
      if (hiddenEdge[e.id] !== !visible) { update.hidden = !visible; hiddenEdge[e.id] = !visible; }
      if (count !== shownCount[e.id]) { shownCount[e.id] = count; update.width = edgeWidth(count); }
      if (Object.keys(update).length > 1) { edgeUpdates.push(update); }
    });
    // An entity shows while one of its relations does; one with no relation
    // at all shows unless a narrowing filter leaves it out. The focus always shows.
    var nodeUpdates = [];
    data.nodes.forEach(function (n) {
      var visible = !active || Boolean(shown[n.id] || (matched && !focusId && matched[n.id])) ||
        (!narrowed && !entities[n.id].edges.length) || n.id === focusId;
      if (hiddenNode[n.id] !== !visible) { hiddenNode[n.id] = !visible; nodeUpdates.push({id: n.id, hidden: !visible}); }
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    showCounts("relation", relCounts, narrowed);
    showCounts("family", famCounts, narrowed);
    showCounts("modality", modCounts, evidenceNarrowed);
    showStatus();
    if (current && !panel.hidden) {  // the open panel follows the filters
      var scroll = panel.scrollTop;
      current();
      panel.scrollTop = scroll;
    }
    if (!options || options.zoom !== false) { fitVisible(); }
    saveState();
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
  docSelect.addEventListener("change", function () {  // the panel first: the view fits the narrower stage
    if (docSelect.value) { showDocument(docSelect.value); }
    applyFilters();
  });

  // ---- focus on an actor: its relations and neighbours only, zoomed to ----
  var focusBox = document.getElementById("kg-focus");
  var focusClear = document.getElementById("kg-focus-clear");
  function degree(id) { return entities[id].edges.length; }
  function findEntity(text) {  // a name or alias; else the best connected entity whose names contain it
    var key = fold(String(text || "").trim());
    if (!key) { return ""; }
    if (entities[text]) { return text; }
    var exact = [], partial = [];
    Object.keys(entities).forEach(function (id) {
      var e = entities[id], all = [e.label].concat(e.aliases).map(fold);
      if (all.indexOf(key) !== -1) { exact.push(id); } else if (searchKeys[id].indexOf(key) !== -1) { partial.push(id); }
    });
    var pool = exact.length ? exact : partial;
    pool.sort(function (a, b) { return degree(b) - degree(a) || (a < b ? -1 : 1); });
    return pool[0] || "";
  }
  function setFocus(id) {
    focusId = id && entities[id] ? id : "";
    focusBox.value = focusId ? entities[focusId].label : "";
    focusBox.classList.remove("kg-invalid");
    focusClear.hidden = !focusId;
    return applyFilters();
  }
  focusBox.addEventListener("focus", fillNames);
  focusBox.addEventListener("change", function () {
    var id = findEntity(focusBox.value);
    if (!id && focusBox.value.trim()) { focusBox.classList.add("kg-invalid"); focusBox.title = "No entity has that name"; return; }
    if (id) { selectNode(id); }
    setFocus(id);
  });
  focusClear.addEventListener("click", function () { setFocus(""); });

  // ---- evidence panel (DOM built with textContent only) ----
  var current = null;  // re-renders the open panel
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  var selection = "";  // what the panel shows, for the URL: e:EDGE, n:ENTITY, d:DOCUMENT, a:AGREEMENT
  function openPanel(refresh, key) {
    panel.hidden = false; panel.scrollTop = 0; current = refresh || null;
    if (key !== undefined) { selection = key; saveState(); }
  }
  function closePanel() {
    panel.hidden = true; clear(panelBody); network.unselectAll(); current = null;
    selection = ""; saveState(); network.redraw();
  }
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
    openPanel(function () { showEdge(id); }, "e:" + id);
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
    var focusButton = el("button", "kg-action kg-focus-here", focusId === id ? "Show everything" : "Focus on " + ent.label);
    focusButton.type = "button";
    focusButton.addEventListener("click", function () { setFocus(focusId === id ? "" : id); });
    panelBody.appendChild(focusButton);
    ent.edges.forEach(function (eid, i) {
      panelBody.appendChild(relationSection(eid, relations[eid].evidence, i < EXPANDED));
    });
    openPanel(function () { showNode(id); }, "n:" + id);
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
    openPanel(function () { showDocument(id); }, "d:" + id);
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
  // ---- labels: drawn over the network at a fixed screen size, never overlapping ----
  // First what is selected or under the pointer, then node labels by number of
  // relations, then (zoomed in, or on a small graph) edge labels by evidence.
  var NODE_FONT = "600 13px system-ui, sans-serif", EDGE_FONT = "12px system-ui, sans-serif";
  var EDGE_LABEL_SCALE = 0.55, SMALL_GRAPH = 300, CELL = 64, GAP = 3;
  function byName(a, b) { return a < b ? -1 : (a > b ? 1 : 0); }
  var nodeOrder = data.nodes.map(function (n) { return n.id; }).sort(function (a, b) {
    return degree(b) - degree(a) || byName(a, b);
  });
  var edgeOrder = data.edges.map(function (e) { return e.id; }).sort(function (a, b) {
    return relations[b].count - relations[a].count || byName(a, b);
  });
  var widths = {}, hoverEdge = null, hoverNode = null;
  var drawnLabels = {nodes: [], edges: [], boxes: {}};
  function textWidth(ctx, font, text) {
    var key = font + "\n" + text;
    if (!(key in widths)) { ctx.font = font; widths[key] = ctx.measureText(text).width; }
    return widths[key];
  }
  function labelGrid() {
    var cells = {};
    function keys(b) {
      var out = [];
      for (var i = Math.floor(b[0] / CELL); i <= Math.floor(b[2] / CELL); i++) {
        for (var j = Math.floor(b[1] / CELL); j <= Math.floor(b[3] / CELL); j++) { out.push(i + "," + j); }
      }
      return out;
    }
    return {
      fits: function (b) {  // no other label within GAP pixels
        return keys(b).every(function (k) {
          return !(cells[k] || []).some(function (o) {
            return b[0] - GAP < o[2] && o[0] < b[2] + GAP && b[1] - GAP < o[3] && o[1] < b[3] + GAP;
          });
        });
      },
      add: function (b) { keys(b).forEach(function (k) { (cells[k] = cells[k] || []).push(b); }); }
    };
  }
  function edgePoint(edge, t) {
    try { return edge.edgeType.getPoint(t); } catch (err) {
      return {x: edge.from.x + t * (edge.to.x - edge.from.x), y: edge.from.y + t * (edge.to.y - edge.from.y)};
    }
  }
  function drawLabels(ctx) {
    var canvas = network.canvas.frame.canvas, W = canvas.clientWidth, H = canvas.clientHeight;
    var ratio = network.canvas.pixelRatio || window.devicePixelRatio || 1;
    var body = network.body, grid = labelGrid(), out = {nodes: [], edges: [], boxes: {}};
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    ctx.lineWidth = 4;
    ctx.strokeStyle = "rgba(255,255,255,0.95)";
    function put(text, font, color, box, x, y, force) {
      if (box[2] < 0 || box[0] > W || box[3] < 0 || box[1] > H) { return false; }
      if (!force && (box[0] < 0 || box[2] > W || box[1] < 0 || box[3] > H)) { return false; }  // no cut labels
      if (!force && !grid.fits(box)) { return false; }
      grid.add(box);
      ctx.font = font;
      ctx.strokeText(text, x, y);
      ctx.fillStyle = color;
      ctx.fillText(text, x, y);
      return true;
    }
    function edgeLabel(id, force) {
      var edge = body.edges[id];
      if (!edge || hiddenEdge[id] || out.boxes["e:" + id]) { return; }
      var d = network.canvasToDOM(edgePoint(edge, 0.5)), text = edgeText(id);
      var w = textWidth(ctx, EDGE_FONT, text), box = [d.x - w / 2 - 2, d.y - 8, d.x + w / 2 + 2, d.y + 8];
      if (put(text, EDGE_FONT, edgeColor[id], box, d.x, d.y, force)) { out.edges.push(id); out.boxes["e:" + id] = box; }
    }
    function nodeLabel(id, force) {
      var node = body.nodes[id];
      if (!node || hiddenNode[id] || out.boxes["n:" + id]) { return; }
      var d = network.canvasToDOM({x: node.x, y: node.y});
      var below = d.y + (node.options.size || 10) * network.getScale() + 3, text = nodeText[id];
      var w = textWidth(ctx, NODE_FONT, text), box = [d.x - w / 2 - 2, below, d.x + w / 2 + 2, below + 17];
      if (put(text, NODE_FONT, "#1b1b1b", box, d.x, below + 8.5, force)) { out.nodes.push(id); out.boxes["n:" + id] = box; }
    }
    var selectedNodes = network.getSelectedNodes(), selectedEdges = network.getSelectedEdges();
    if (hoverEdge) { edgeLabel(hoverEdge, true); }
    if (hoverNode) { nodeLabel(hoverNode, true); }
    selectedNodes.forEach(function (id) { nodeLabel(id, true); });
    if (focusId) { nodeLabel(focusId, true); }
    selectedEdges.slice(0, 40).forEach(function (id) {
      edgeLabel(id, selectedEdges.length <= 3);
      var r = relations[id];
      if (r) { nodeLabel(r.from, false); nodeLabel(r.to, false); }
    });
    nodeOrder.forEach(function (id) { nodeLabel(id, false); });
    if (data.edges.length <= SMALL_GRAPH || network.getScale() >= EDGE_LABEL_SCALE) {
      edgeOrder.forEach(function (id) { edgeLabel(id, false); });
    }
    ctx.restore();
    drawnLabels = out;
  }
  network.on("afterDrawing", drawLabels);
  // the edge under the pointer, found as a click finds it (edgeAt, below), shows its label
  var graphBox = document.getElementById("kg-graph"), pointer = null;
  graphBox.addEventListener("mousemove", function (event) {
    var first = pointer === null, rect = graphBox.getBoundingClientRect();
    pointer = {x: event.clientX - rect.left, y: event.clientY - rect.top};
    if (!first) { return; }
    requestAnimationFrame(function () {
      var id = hoverNode ? null : edgeAt(pointer, true);
      pointer = null;
      if (id !== hoverEdge) { hoverEdge = id; network.redraw(); }
    });
  });
  graphBox.addEventListener("mouseleave", function () { if (hoverEdge) { hoverEdge = null; network.redraw(); } });
  network.on("hoverNode", function (p) { hoverNode = p.node; network.redraw(); });
  network.on("blurNode", function () { hoverNode = null; network.redraw(); });

  // ---- a click selects what is under the pointer: a node, an edge label, the nearest edge ----
  function segmentDistance(p, a, b) {
    var dx = b.x - a.x, dy = b.y - a.y, len = dx * dx + dy * dy;
    var t = len ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len)) : 0;
    var x = a.x + t * dx - p.x, y = a.y + t * dy - p.y;
    return Math.sqrt(x * x + y * y);
  }
  function edgeAt(dom, lines) {  // DOM point -> the edge whose label is there, else the closest line within reach
    var keys = lines ? [] : Object.keys(drawnLabels.boxes);
    for (var k = keys.length - 1; k >= 0; k--) {
      var b = drawnLabels.boxes[keys[k]];
      if (keys[k].charAt(0) === "e" && dom.x >= b[0] && dom.x <= b[2] && dom.y >= b[1] && dom.y <= b[3]) {
        return keys[k].slice(2);
      }
    }
    var p = network.DOMtoCanvas(dom), scale = network.getScale(), best = null, bestDistance = Infinity;
    data.edges.forEach(function (e) {
      var edge = network.body.edges[e.id];
      if (hiddenEdge[e.id] || !edge || !edge.from || !edge.to) { return; }
      var reach = 6 / scale + (edge.options.width || 1) / 2, d = Infinity;
      var curved = edge.from === edge.to || (edge.options.smooth && edge.options.smooth.enabled);
      if (!curved) {
        var lo = Math.min(edge.from.x, edge.to.x) - reach, hi = Math.max(edge.from.x, edge.to.x) + reach;
        var top = Math.min(edge.from.y, edge.to.y) - reach, bottom = Math.max(edge.from.y, edge.to.y) + reach;
        if (p.x < lo || p.x > hi || p.y < top || p.y > bottom) { return; }
        d = segmentDistance(p, edge.from, edge.to);
      } else {
        var last = edgePoint(edge, 0);
        for (var i = 1; i <= 16; i++) {
          var next = edgePoint(edge, i / 16);
          d = Math.min(d, segmentDistance(p, last, next));
          last = next;
        }
      }
      if (d <= reach && d < bestDistance) { best = e.id; bestDistance = d; }
    });
    return best;
  }
  network.on("click", function (params) {
    if (params.nodes.length) { selectNode(params.nodes[0]); return; }
    var id = edgeAt(params.pointer.DOM);
    if (id) { selectEdge(id); } else { closePanel(); }
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length) { setFocus(params.nodes[0]); }
  });

  // ---- the view in the URL: #q=..&doc=..&focus=..&off=..&claims=..&dates=..&view=map&sel=.. ----
  var restoring = true, lastHash = null;
  function stateHash() {
    var parts = [];
    function add(key, value) { if (value) { parts.push(key + "=" + encodeURIComponent(value)); } }
    add("q", filterBox.value.trim());
    add("doc", docFilter);
    add("focus", focusId);
    add("off", relationBoxes.filter(function (b) { return !b.checked; }).map(function (b) { return b.value; }).join(","));
    add("claims", modalityBoxes.filter(function (b) { return !b.checked && !b.disabled; })
      .map(function (b) { return b.value; }).join(","));
    add("dates", dateRange ? dateRange[0].slice(0, 7) + ".." + dateRange[1].slice(0, 7) : "");
    add("view", layout === "geo" ? "map" : "");
    add("sel", selection);
    return parts.join("&");
  }
  function saveState() {
    if (restoring) { return; }
    var hash = stateHash();
    if (hash === location.hash.replace(/^#/, "")) { return; }
    lastHash = hash;
    var url = location.href.split("#")[0] + (hash ? "#" + hash : "");
    try { history.replaceState(null, "", url); } catch (err) { location.replace(hash ? "#" + hash : "#"); }
  }
  function parseHash(text) {
    var state = {};
    String(text || "").replace(/^#/, "").split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i > 0) {
        try { state[part.slice(0, i)] = decodeURIComponent(part.slice(i + 1)); } catch (err) { /* ignore a bad part */ }
      }
    });
    return state;
  }
  function restoreState(text) {
    var state = parseHash(text);
    restoring = true;
    var off = (state.off || "").split(","), claims = (state.claims || "").split(",");
    relationBoxes.forEach(function (b) { b.checked = off.indexOf(b.value) === -1; });
    familyBoxes.forEach(function (b) { syncFamily(b.value); });
    modalityBoxes.forEach(function (b) { if (!b.disabled) { b.checked = claims.indexOf(b.value) === -1; } });
    filterBox.value = state.q || "";
    docSelect.value = state.doc && documents[state.doc] ? state.doc : "";
    focusId = state.focus && entities[state.focus] ? state.focus : "";
    focusBox.value = focusId ? entities[focusId].label : "";
    focusClear.hidden = !focusId;
    setLayout(state.view === "map" ? "geo" : "graph");
    var months = /^(\d{4}-\d{2})\.\.(\d{4}-\d{2})$/.exec(state.dates || "");
    if (months && window.kgSetMonths && window.kgSetMonths(months[1], months[2])) { /* the timeline filtered */ }
    else if (window.kgSetMonths && dateRange) { window.kgSetMonths(0, data.timeline.months.length - 1); }
    else { applyFilters({zoom: false}); }
    var sel = state.sel || "", kind = sel.slice(0, 2), id = sel.slice(2);
    if (kind === "e:") { selectEdge(id); }
    else if (kind === "n:") { selectNode(id); }
    else if (kind === "d:") { showDocument(id); }
    else if (kind === "a:" && window.kgSelectAgreement) { window.kgSelectAgreement(Number(id)); }
    else if (!panel.hidden) { closePanel(); }
    restoring = false;
    selection = sel && !panel.hidden ? sel : "";
    fitVisible();
    saveState();
  }
  window.addEventListener("hashchange", function () {
    if (location.hash.replace(/^#/, "") !== lastHash) { restoreState(location.hash); }
  });
  document.addEventListener("DOMContentLoaded", function () {  // after the timeline's script
    restoreState(location.hash);
    restored = true;
    ready();
  });

  // ---- save the view as a PNG file ----
  function saveImage() {
    var source = network.canvas.frame.canvas;
    var image = document.createElement("canvas");
    image.width = source.width;
    image.height = source.height;
    var ctx = image.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, image.width, image.height);
    ctx.drawImage(source, 0, 0);
    image.toBlob(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "kg-view.png";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    }, "image/png");
  }
  document.getElementById("kg-save").addEventListener("click", saveImage);
  document.getElementById("kg-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { closePanel(); }
  });

  window.kgNetwork = network;
  window.kgEdgeLabel = edgeText;
  window.kgDrawnLabels = function () { return drawnLabels; };
  window.kgEdgeAt = edgeAt;
  window.kgSetFocus = setFocus;
  window.kgFocus = function () { return focusId; };
  window.kgFindEntity = findEntity;
  window.kgRestoreState = restoreState;
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
    close: closePanel,
    evidenceList: evidenceList,
    relationSection: function (eid, expand) { return relationSection(eid, relations[eid].evidence, expand); }
  };
  showStatus();
}());
