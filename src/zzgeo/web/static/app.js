// zzgeo office tools: every value from the server is shown with textContent (never as HTML).
"use strict";
const T = JSON.parse(document.getElementById("texts").textContent);
const LANG = document.body.dataset.lang;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return node;
}
function num(v, digits) {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v !== "number") return String(v);
  return v.toLocaleString(LANG === "zh" ? "zh-CN" : "en-US", {maximumFractionDigits: digits === undefined ? 2 : digits});
}
function table(heads, rows, numeric) {
  const t = el("table");
  t.append(el("thead", {}, el("tr", {}, ...heads.map(h => el("th", {text: h})))));
  const body = el("tbody");
  for (const r of rows) body.append(el("tr", r.attrs || {}, ...r.cells.map((c, i) =>
    el("td", {class: (numeric || [])[i] ? "num" : (r.classes || [])[i]}, c))));
  t.append(body);
  return t;
}
function errorBox(message) { return el("p", {class: "error", role: "alert"}, `${T.error}: ${message}`); }
async function call(url, options) {
  const response = await fetch(url, options);
  let data = null;
  try { data = await response.json(); } catch (e) { data = {error: response.statusText || String(response.status)}; }
  if (!response.ok) throw new Error((data && data.error) || response.statusText);
  return {data, response};
}
function busy(button, on) { button.disabled = on; button.dataset.label = button.dataset.label || button.textContent; button.textContent = on ? T.working : button.dataset.label; }
function notesList(notes) { return el("ul", {class: "notes"}, ...(notes || []).map(n => el("li", {text: n}))); }
function kv(pairs) { const dl = el("dl", {class: "kv"}); for (const [k, v] of pairs) dl.append(el("dt", {text: k}), el("dd", {}, v)); return dl; }

// ------------------------------------------------------------------ land price
function landPrice() {
  const map = L.map("map", {preferCanvas: true}).setView([34.75, 113.65], 10);
  window.zzgeoMap = map;
  const colours = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac", "#5e3c99"];
  fetch("/api/layers/land_grade_zones?use=commercial").then(r => r.ok ? r.json() : null).then(g => {
    if (!g) return;
    L.geoJSON(g, {style: f => ({color: "#555", weight: 0.5, fillOpacity: 0.45, fillColor: colours[(parseInt(f.properties.grade, 10) - 1) % colours.length]}),
      interactive: false}).addTo(map);
  });
  fetch("/api/layers/districts").then(r => r.ok ? r.json() : null).then(g => {
    if (!g) return;
    const layer = L.geoJSON(g, {style: {color: "#333", weight: 1.2, fill: false}, interactive: false}).addTo(map);
    map.fitBounds(layer.getBounds(), {animate: false});
    map.getContainer().dataset.ready = "1";
  });
  let marker = null;
  const form = document.getElementById("lookup-form");
  const out = document.getElementById("lookup-result");
  map.on("click", e => {
    form.lon.value = e.latlng.lng.toFixed(6); form.lat.value = e.latlng.lat.toFixed(6); form.crs.value = "wgs84";
    form.requestSubmit();
  });
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const q = new URLSearchParams({lon: form.lon.value, lat: form.lat.value, crs: form.crs.value});
    out.hidden = false; out.replaceChildren(el("p", {class: "muted", text: T.working}));
    try {
      const {data} = await call(`/api/land-price/lookup?${q}`);
      const ll = [data.location.lat, data.location.lon];
      if (marker) marker.setLatLng(ll); else marker = L.marker(ll).addTo(map);
      out.replaceChildren(lookupView(data));
      out.dataset.state = "done";
    } catch (e) { out.replaceChildren(errorBox(e.message)); out.dataset.state = "error"; }
  });
  document.getElementById("value-form").addEventListener("submit", valueParcel);
}

function lookupView(data) {
  const rows = [];
  for (const t of data.tables) {
    rows.push({attrs: {class: "group"}, cells: [T["table_" + t.table] || t.table, "", "", "", ""]});
    for (const u of t.uses) for (const p of u.prices) rows.push({attrs: {"data-table": t.table, "data-use": u.use, "data-right": p.right || ""},
      cells: [`${u.use_zh}`, u.grade, p.right_zh, p.price_yuan_m2 === null ? `— (${T.no_grade})` : num(p.price_yuan_m2), num(p.price_yuan_mu, 0)]});
  }
  const first = data.tables[0] && data.tables[0].uses[0];
  const main = first && first.prices[0];
  return el("div", {},
    el("h2", {}, `${data.district.name} (${data.district.adcode})`),
    data.zones_demo ? el("span", {class: "demo", text: data.zones_note || T.demo}) : "",
    kv([[T.document, data.doc_number], [T.base_date, data.base_date], [`${T.grade} · ${first ? first.use_zh : ""}`,
        el("span", {class: "big", id: "main-price"}, `${first ? first.grade : "—"} · ${main ? num(main.price_yuan_m2) : "—"} ${data.unit}`)]]),
    table([T.use, T.grade, T.right, T.price_m2, T.price_mu], rows, [false, false, false, true, true]));
}

async function valueParcel(ev) {
  ev.preventDefault();
  const form = ev.target, out = document.getElementById("value-result"), button = document.getElementById("value-button");
  const lookup = document.getElementById("lookup-form");
  const body = {lon: parseFloat(lookup.lon.value), lat: parseFloat(lookup.lat.value), crs: lookup.crs.value};
  for (const name of ["use", "right", "date", "price_index", "steps"]) if (form[name].value.trim()) body[name] = form[name].value.trim();
  for (const name of ["area_m2", "plot_ratio", "term_years", "reduction_rate", "monthly_growth", "development_adj"])
    if (form[name].value.trim()) body[name] = Number(form[name].value.trim());
  const factors = form.factors.value.split(/\n|;|；/).map(s => s.trim()).filter(Boolean);
  if (factors.length) body.factors = factors;
  out.hidden = false; busy(button, true);
  try {
    const {data} = await call("/api/land-price/value", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    out.replaceChildren(valuationView(data)); out.dataset.state = "done";
  } catch (e) { out.replaceChildren(errorBox(e.message)); out.dataset.state = "error"; }
  finally { busy(button, false); }
}

function valuationView(data) {
  const r = data.records[0];
  if (r.error) return errorBox(r.error);
  const coeffs = [["benchmark_yuan_m2", "元/m²"], ["grade", ""], ["price_form", ""], ["sum_k", "ΣK"], ["k_individual", "1+ΣK"],
    ["reduction_rate", "r"], ["term_benchmark_years", ""], ["term_years", ""], ["k_term", "K_term"], ["benchmark_plot_ratio", ""],
    ["plot_ratio", ""], ["k_plot", "K_plot"], ["floor_to_ground", ""], ["valuation_date", ""], ["k_date", "K_date"],
    ["development_adj_yuan_m2", "D"], ["unit_price_yuan_m2", "元/m²"], ["unit_price_yuan_mu", "元/亩"], ["area_m2", "m²"], ["value_yuan", "元"]];
  return el("div", {},
    el("p", {}, el("span", {class: "muted", text: `${T.unit_price}: `}), el("span", {class: "big unit-price", id: "unit-price"}, num(r.unit_price_yuan_m2)),
      r.value_yuan !== null ? el("span", {class: "muted"}, `   ${T.total_value}: ${num(r.value_yuan, 0)}`) : ""),
    el("p", {class: "muted"}, `${r.steps} · ${r.doc_number}`),
    r.zones_demo ? el("span", {class: "demo", text: T.demo}) : "",
    table([T.coefficient, "", T.figure], coeffs.map(([k, sym]) => ({attrs: {"data-key": k}, cells: [k, sym, typeof r[k] === "number" ? num(r[k], 6) : (r[k] || "—")]})), [false, false, true]),
    r.warnings ? notesList([r.warnings]) : "", notesList(data.notes));
}

// ------------------------------------------------------------------ registers
function registers() {
  const form = document.getElementById("register-form"), out = document.getElementById("register-result");
  const button = document.getElementById("upload-button");
  const sync = () => {
    form.querySelectorAll(".parcels-only").forEach(n => n.hidden = form.kind.value !== "parcels");
    form.querySelectorAll(".shelters-only").forEach(n => n.hidden = form.kind.value !== "shelters");
  };
  form.kind.addEventListener("change", sync); sync();
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const fd = new FormData(form); const kind = fd.get("kind"); fd.delete("kind");
    for (const [k, v] of [...fd.entries()]) if (v === "") fd.delete(k);
    out.hidden = false; out.replaceChildren(el("p", {class: "muted", text: T.working})); busy(button, true);
    try {
      const {data} = await call(`/api/registers/${encodeURIComponent(kind)}`, {method: "POST", body: fd});
      out.replaceChildren(registerView(data)); out.dataset.state = "done";
    } catch (e) { out.replaceChildren(errorBox(e.message)); out.dataset.state = "error"; }
    finally { busy(button, false); }
  });
}

function registerView(data) {
  const res = data.result;
  const card = el("section", {class: "card"}, el("h2", {}, `${data.input} · ${data.rows} ${T.rows_read}`));
  const rejected = res.rejected || [];
  card.append(el("h3", {text: `${T.rejected} (${rejected.length})`}));
  card.append(rejected.length ? table([T.row, T.id, T.name, T.reason], rejected.map(r => ({attrs: {class: "rejected"}, cells: [r.row, r.id ?? "", r.name ?? "", r.reason]})))
                              : el("p", {class: "muted", text: T.no_rejected}));
  const result = el("section", {class: "card"}, el("h2", {text: T.result}));
  if (data.kind === "shelters" && res.city) {
    const c = res.city;
    result.append(kv([[T.city, c.name], [T.effective_area, num(c.effective_area_m2, 0)], [T.per_capita, `${num(c.per_capita_m2, 3)} / ${num(c.target_m2)}`],
      [T.gap, num(c.gap_m2, 0)], [T.coverage, `${num(100 * c.covered_share, 1)}%`]]));
    result.append(table([T.district, T.effective_area, T.per_capita, T.gap, T.coverage], res.records.map(r => ({cells:
      [r.name, num(r.effective_area_m2, 0), num(r.per_capita_m2, 3), num(r.gap_m2, 0), `${num(100 * r.covered_share, 1)}%`]})), [false, true, true, true, true]));
  } else if (data.kind === "facilities") {
    const rows = res.records.filter(r => r.unit === "city");
    result.append(table([T.target, T.actual, T.status], rows.map(r => ({cells: [r.wording, r.actual === null ? "—" : `${num(r.actual)} / ${num(r.target)}`, r.status]}))));
  } else if (data.kind === "parcels") {
    result.append(el("p", {}, `${res.valued} / ${res.parcels} ${T.valued} · ${T.total_value}: ${num(res.total_value_yuan, 0)}`));
    result.append(table(["id", T.grade, T.unit_price, T.total_value, T.error], res.records.map(r => ({cells:
      [r.parcel_id ?? r.id ?? "", r.grade ?? "", num(r.unit_price_yuan_m2), num(r.value_yuan, 0), r.error || ""]})), [false, false, true, true, false]));
  }
  if (res.notes && res.notes.length) result.append(el("h3", {text: T.notes}), notesList(res.notes));
  const dl = el("section", {class: "card downloads"}, el("h2", {text: T.downloads}),
    el("a", {href: data.downloads.xlsx, id: "dl-xlsx"}, T.dl_xlsx), el("a", {href: data.downloads.gpkg, id: "dl-gpkg"}, T.dl_gpkg),
    rejected.length ? el("p", {class: "muted", text: T.map_needs_all})
                    : el("a", {href: data.downloads.html, id: "dl-html", target: "_blank", rel: "noopener"}, T.dl_html));
  return el("div", {}, card, result, dl);
}

// ------------------------------------------------------------------ report
function report() {
  const form = document.getElementById("report-form"), button = document.getElementById("report-button");
  const box = document.getElementById("report-progress"), bar = document.getElementById("report-bar");
  const stage = document.getElementById("report-stage"), out = document.getElementById("report-result");
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const fd = new FormData(form);
    if (!form.config.files.length) { fd.delete("config"); fd.delete("files"); }
    busy(button, true); box.hidden = false; out.hidden = true; stage.textContent = T.queued;
    try {
      const {data} = await call("/api/reports", {method: "POST", body: fd});
      for (;;) {
        const {data: s} = await call(`/api/jobs/${data.job}`);
        bar.max = s.total || 1; bar.value = s.done || 0;
        stage.textContent = `${T[s.status] || s.status} · ${s.stage || ""}`;
        if (s.status === "done") { bar.value = bar.max; stage.textContent = T.done; out.replaceChildren(reportView(s)); out.hidden = false; out.dataset.state = "done"; break; }
        if (s.status === "failed") { out.replaceChildren(errorBox(s.error)); out.hidden = false; out.dataset.state = "error"; break; }
        await new Promise(r => setTimeout(r, 700));
      }
    } catch (e) { out.replaceChildren(errorBox(e.message)); out.hidden = false; out.dataset.state = "error"; }
    finally { busy(button, false); }
  });
}

function reportView(s) {
  const base = `/api/jobs/${s.job}/files/`;
  const link = name => el("a", {href: base + name.split("/").map(encodeURIComponent).join("/"), target: "_blank", rel: "noopener"}, name);
  const maps = s.files.filter(f => /^maps\/[^/]+\.html$/.test(f));
  return el("div", {},
    el("section", {class: "card"}, el("h2", {text: T.maps}), el("p", {}, link("index.html")),
      el("ul", {class: "maps"}, ...maps.map(m => el("li", {}, link(m))))),
    el("section", {class: "card"}, el("details", {}, el("summary", {text: `${T.files} (${s.files.length})`}),
      el("ul", {}, ...s.files.map(f => el("li", {}, link(f)))))),
    s.result && s.result.notes && s.result.notes.length ? el("section", {class: "card"}, el("h2", {text: T.notes}), notesList(s.result.notes)) : "");
}

const page = document.body.dataset.page;
if (page === "land-price") landPrice(); else if (page === "registers") registers(); else if (page === "report") report();
