// Hotline agent console: one box for the caller's whole sentence (GET /v1/ask: what was understood, the
// clarifying questions as buttons, the read-back sentence with a copy button, a ready SMS text), and the
// /v1/nearest answer rendered as cards (tel: links, copy phone, Amap/Baidu navigation) and a small SVG map.
// A structured form (place box with suggestions, business picker, time) stays for agents who prefer it.
// Keyboard first: / the sentence box, Enter to ask, digits 1-9 to open a result, Esc back to the sentence box.
// No dependencies.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { placeId: null, placeLabel: "", business: null, businesses: [], numbered: [], choices: {}, lastCopied: null, vocab: {} };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function message(text, error) {
  const m = $("message");
  m.textContent = text;
  m.classList.toggle("error", !!error);
}

// ---- A keyboard combobox: input + listbox; arrows move, Enter picks, Esc closes.
function combobox(input, list, source, onPick) {
  let items = [];
  let active = -1;
  function render() {
    list.replaceChildren(...items.map((it, i) => {
      const li = el("li", { role: "option", id: `${list.id}-${i}`, "aria-selected": i === active ? "true" : "false", "data-value": it.value },
        it.label, it.hint ? el("small", { text: it.hint }) : null);
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); pick(i); });
      return li;
    }));
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    if (active >= 0) input.setAttribute("aria-activedescendant", `${list.id}-${active}`); else input.removeAttribute("aria-activedescendant");
    if (active >= 0) list.children[active].scrollIntoView({ block: "nearest" });
  }
  function close() { items = []; active = -1; render(); }
  function pick(i) { const it = items[i]; close(); onPick(it); }
  async function refresh() {
    const text = input.value.trim();
    const got = await source(text);
    if (input.value.trim() !== text) return; // typed on meanwhile
    items = got; active = -1; render();
  }
  let timer = null;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 120); });
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!items.length) { refresh(); return; }
      ev.preventDefault();
      // Cycles through the options and back to the input (-1).
      if (ev.key === "ArrowDown") active = active + 1 >= items.length ? -1 : active + 1;
      else active = active <= -1 ? items.length - 1 : active - 1;
      render();
    } else if (ev.key === "Enter" && active >= 0) {
      ev.preventDefault();
      ev.stopPropagation();
      pick(active);
    } else if (ev.key === "Escape" && items.length) {
      ev.stopPropagation();
      close();
    }
  });
  return { close, get items() { return items; } };
}

// ---- Place box
const placeBox = combobox($("place"), $("place-list"), async (text) => {
  if (!text) return [];
  try {
    const r = await fetch(`/v1/places?limit=8&q=${encodeURIComponent(text)}`);
    if (!r.ok) return [];
    const j = await r.json();
    return j.candidates.map((c) => ({ value: c.id, label: c.name, hint: `${c.kind_name_zh} · ${c.address || c.parents.join("")}`, place: c }));
  } catch { return []; }
}, (it) => {
  state.placeId = it.value;
  state.placeLabel = it.label;
  $("place").value = it.label;
  $("business").focus();
});
$("place").addEventListener("input", () => { state.placeId = null; });

// ---- Business picker
// The words agents hear (上牌, 年检, 换证, 电驴…) go through the caller vocabulary (/v1/business-types?q=, the
// same words /v1/ask reads); the official names and codes match as typed.
function matchBusinesses(text) {
  const t = text.trim();
  if (!t) return state.businesses;
  const byWords = (state.vocab[t] || []).map((c) => state.businesses.find((b) => b.code === c)).filter(Boolean);
  const byName = state.businesses.filter((b) => (b.name_zh.includes(t) || b.code.includes(t.toLowerCase())) && !byWords.includes(b));
  byName.sort((a, b) => (b.name_zh === t) - (a.name_zh === t) || a.name_zh.length - b.name_zh.length);
  return byWords.concat(byName);
}
async function lookUpWords(text) {
  const t = text.trim();
  if (!t || state.vocab[t]) return;
  try {
    const r = await fetch(`/v1/business-types?q=${encodeURIComponent(t)}`);
    if (r.ok) state.vocab[t] = (await r.json()).items.map((i) => i.code);
  } catch { /* the names still match */ }
}
const businessBox = combobox($("business"), $("business-list"), async (text) => {
  await lookUpWords(text);
  return matchBusinesses(text).slice(0, 12).map((b) => ({ value: b.code, label: b.name_zh, hint: b.code, business: b }));
},
(it) => { state.business = it.business; $("business").value = it.label; });
$("business").addEventListener("input", () => { state.business = null; });

fetch("/v1/business-types").then((r) => r.json()).then((j) => { state.businesses = j.items || j; })
  .catch(() => message("无法读取业务列表", true));

// ---- Search
function resolveBusiness() {
  if (state.business) return state.business;
  const hits = matchBusinesses($("business").value);
  if ($("business").value.trim() && hits.length) {
    state.business = hits[0];
    $("business").value = hits[0].name_zh;
    return hits[0];
  }
  return null;
}

function atParameter() {
  const v = $("at").value; // "2026-03-07T10:00" in Beijing time, whatever the browser's zone
  if (!v) return null;
  return (v.length === 16 ? v + ":00" : v) + "+08:00";
}

function nearestURL(business) {
  const p = new URLSearchParams();
  if (state.placeId) p.set("place_id", state.placeId); else p.set("place", $("place").value.trim());
  p.set("business", business.code);
  p.set("radius_m", $("radius").value);
  p.set("mode", $("mode").value);
  p.set("limit", "9");
  const at = atParameter();
  if (at) p.set("at", at);
  return "/v1/nearest?" + p.toString();
}

// GETs an API answer, showing the URL and the state; on an error, says why in Chinese and returns null.
async function fetchAnswer(url) {
  $("api-url").textContent = url;
  message("查询中…");
  document.body.dataset.state = "loading";
  try {
    const r = await fetch(url);
    const j = await r.json();
    if (r.ok) return j;
    const reasons = (j.invalid_params || []).map((p) => `${p.name}：${p.reason}`).join("；");
    message(`查询失败：${j.title || r.status}${reasons ? "（" + reasons + "）" : ""}`, true);
  } catch (e) {
    message("查询失败：服务无响应", true);
  }
  document.body.dataset.state = "error";
  return null;
}

async function search() {
  $("understood").hidden = true;
  placeBox.close();
  businessBox.close();
  if (!$("place").value.trim()) { message("请输入来电人所在地点", true); $("place").focus(); return; }
  const business = resolveBusiness();
  if (!business) { message("请选择办理业务（可输入“上牌”“换证”“年检”等）", true); $("business").focus(); return; }
  const j = await fetchAnswer(nearestURL(business));
  if (!j) return;
  render(j, business);
  document.body.dataset.state = "done";
}

$("search").addEventListener("submit", (ev) => { ev.preventDefault(); search(); });
for (const id of ["place", "business", "at", "mode", "radius"]) {
  $(id).addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.defaultPrevented) { ev.preventDefault(); search(); }
  });
}

// ---- Rendering
function distanceText(m) { return m < 1000 ? `${m} 米` : `${(m / 1000).toFixed(1)} 公里`; }
const MODE_ZH = { walk: "步行", bike: "骑行", drive: "驾车" };

function card(entry, n, cls, mode) {
  const o = entry.outlet;
  const open = !!entry.arrives_at;
  const meta = el("div", { class: "meta" },
    el("span", { class: "distance", text: distanceText(entry.distance_m) }),
    mode !== "none" ? el("span", { class: "eta", text: `${MODE_ZH[mode]}约 ${entry.eta_minutes} 分钟` }) : null,
    el("span", { class: "phone", text: o.phone ? `电话 ${o.phone}` : "电话未登记" }),
    el("span", { class: "address", text: o.address }));
  const readback = `${o.name}，地址：${o.address}，电话：${o.phone || "未登记"}，${entry.status_text_zh}。营业时间：${o.hours_text_zh}。`;
  const details = el("div", { class: "details", hidden: true },
    el("div", { class: "hours", text: `营业时间：${o.hours_text_zh}` }),
    el("div", { class: "readback", text: `可读给来电人：${readback}` }),
    el("div", { class: "coords", text: `坐标（WGS-84）${o.location.lat}, ${o.location.lon}；高德/腾讯（GCJ-02）${o.location_gcj02.lat}, ${o.location_gcj02.lon}；网点编号 ${o.code}` }));
  const digits = (o.phone || "").replace(/[^0-9+]/g, "");
  const links = el("div", { class: "links" },
    o.phone ? el("a", { class: "tel", href: `tel:${digits}` }, `拨打 ${o.phone}`) : null,
    o.phone ? copyButton(o.phone, "复制电话", "copy-phone") : null,
    el("a", { class: "nav-amap", href: amapURL(o), target: "_blank", rel: "noopener" }, "高德导航"),
    el("a", { class: "nav-baidu", href: baiduURL(o), target: "_blank", rel: "noopener" }, "百度导航"));
  const li = el("li", { class: cls, tabindex: "0", "data-outlet-id": String(o.id), "data-n": String(n), "aria-expanded": "false" },
    el("span", { class: "num", text: String(n) }),
    el("div", { class: "name" }, el("span", { class: "outlet-name", text: o.name }), el("span", { class: "kind", text: o.kind_name_zh })),
    el("div", { class: `status ${open ? "open" : "closed"}`, text: entry.status_text_zh }),
    meta, links, details);
  li.addEventListener("keydown", (ev) => {
    if (ev.target !== li) return;
    if (ev.key === "Enter") { ev.preventDefault(); toggle(li); }
    else if ((ev.key === "r" || ev.key === "R") && !ev.ctrlKey && !ev.metaKey && !ev.altKey) { ev.preventDefault(); openReport(li, o); }
  });
  li.addEventListener("click", (ev) => { if (!ev.target.closest("a, button, form, input")) toggle(li); });
  return li;
}

// ---- 报告问题: one key (r) on a focused card opens a small form; the report is posted without personal data.
const REPORT_KINDS = [["closed", "已关闭"], ["wrong_hours", "时间不对"], ["moved", "已搬迁"], ["wrong_phone", "电话不对"], ["other", "其他"]];

function openReport(li, o) {
  const existing = li.querySelector("form.report");
  if (existing) { existing.querySelector("button").focus(); return; }
  const text = el("input", { type: "text", class: "report-text", maxlength: "500", placeholder: "补充说明（可不填，请勿填写个人信息）", "aria-label": "补充说明" });
  const note = el("div", { class: "report-note", role: "status" });
  const form = el("form", { class: "report", "aria-label": `报告问题：${o.name}` },
    el("div", { class: "report-title", text: "报告问题（选择类型后提交）：" }),
    ...REPORT_KINDS.map(([kind, label], i) => {
      const b = el("button", { type: "button", class: "report-kind", "data-kind": kind, text: `${i + 1} ${label}` });
      b.addEventListener("click", () => send(kind));
      return b;
    }),
    text,
    el("button", { type: "button", class: "report-cancel", text: "取消" }),
    note);
  form.querySelector(".report-cancel").addEventListener("click", () => { form.remove(); li.focus(); });
  form.addEventListener("submit", (ev) => { ev.preventDefault(); });
  form.addEventListener("keydown", (ev) => {
    ev.stopPropagation();
    if (ev.key === "Escape") { ev.preventDefault(); form.remove(); li.focus(); return; }
    if (ev.target !== text && /^[1-5]$/.test(ev.key)) { ev.preventDefault(); send(REPORT_KINDS[Number(ev.key) - 1][0]); }
  });
  async function send(kind) {
    note.textContent = "正在提交…";
    try {
      const r = await fetch(`/v1/outlets/${o.id}/reports`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(text.value.trim() ? { kind, text: text.value.trim() } : { kind }),
      });
      const j = await r.json().catch(() => ({}));
      if (r.status === 201) {
        form.remove();
        message(`已提交问题报告（${REPORT_KINDS.find((k) => k[0] === kind)[1]}）：${o.name}，谢谢`);
        li.focus();
      } else if (r.status === 429) {
        note.textContent = "提交过于频繁，请稍后再试";
      } else {
        note.textContent = `未能提交：${(j.invalid_params || []).map((p) => p.reason).join("；") || j.detail || r.status}`;
      }
    } catch (e) {
      note.textContent = "未能提交：网络错误";
    }
  }
  li.append(form);
  form.querySelector(".report-kind").focus();
}

function toggle(li, force) {
  const d = li.querySelector(".details");
  const show = force === undefined ? d.hidden : force;
  d.hidden = !show;
  li.setAttribute("aria-expanded", show ? "true" : "false");
  li.focus();
}

function render(j, business) {
  const q = j.query;
  state.numbered = [];
  const place = q.place;
  const confirm = $("place-confirm");
  confirm.replaceChildren();
  if (place) {
    const r = place.resolved;
    confirm.append("已定位：", el("b", { id: "resolved-place", text: r.name }), `（${r.kind_name_zh} · ${r.full_name}）`);
    if (place.runners_up.length) {
      confirm.append("　不是这里？");
      place.runners_up.forEach((c, i) => {
        const b = el("button", { type: "button", class: "runner-up", "data-place-id": c.id, title: `Alt+${i + 1}` }, `Alt+${i + 1} ${c.name}（${c.parents.slice(-1)[0] || c.kind_name_zh}）`);
        b.addEventListener("click", () => { state.placeId = c.id; $("place").value = c.name; search(); });
        confirm.append(b);
      });
    }
    confirm.hidden = false;
  } else confirm.hidden = true;

  const mode = q.mode;
  const results = j.results.map((r, i) => card(r, i + 1, "result", mode));
  $("results").replaceChildren(...results);
  state.numbered.push(...results);
  const soon = j.opening_soon.map((s, i) => card(s, results.length + i + 1, "soon", mode));
  $("soon").replaceChildren(...soon);
  state.numbered.push(...soon);
  const beyond = j.nearest_open_beyond_radius ? [card(j.nearest_open_beyond_radius, state.numbered.length + 1, "beyond", mode)] : [];
  $("beyond").replaceChildren(...beyond);
  state.numbered.push(...beyond);
  $("fallbacks").hidden = soon.length === 0 && beyond.length === 0;
  $("soon-title").hidden = soon.length === 0;
  $("beyond-title").hidden = beyond.length === 0;

  const radiusKm = q.radius_m / 1000;
  const when = q.at.replace("T", " ").slice(0, 16);
  if (results.length) {
    message(`${when} 前往办理「${business.name_zh}」：${radiusKm} 公里内 ${results.length} 处可办理（按距离排序）。按数字键展开详情。`);
  } else {
    message(`${when} 前往办理「${business.name_zh}」：${radiusKm} 公里内暂无可办理网点${soon.length ? "，见下方即将开门的网点" : ""}${beyond.length ? "及范围外最近的网点" : ""}。`, !soon.length && !beyond.length);
  }
  drawMap(q, j);
  if (state.numbered.length) state.numbered[0].focus();
}

// ---- SVG map: equirectangular around the query point, north up, fitted to the radius and the markers.
function drawMap(q, j) {
  const svg = $("map");
  const NS = "http://www.w3.org/2000/svg";
  const s = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const lat0 = q.location.lat, lon0 = q.location.lon;
  const kx = 111320 * Math.cos(lat0 * Math.PI / 180), ky = 110574;
  const pts = [];
  j.results.forEach((r, i) => pts.push({ o: r.outlet, n: i + 1, cls: "result" }));
  j.opening_soon.forEach((r, i) => pts.push({ o: r.outlet, n: j.results.length + i + 1, cls: "soon" }));
  if (j.nearest_open_beyond_radius) pts.push({ o: j.nearest_open_beyond_radius.outlet, n: pts.length + 1, cls: "beyond" });
  // Fitted to the markers (at least 300 m around the place); the radius circle may run past the edge.
  let extent = pts.length ? 300 : q.radius_m;
  for (const p of pts) {
    const dx = (p.o.location.lon - lon0) * kx, dy = (p.o.location.lat - lat0) * ky;
    extent = Math.max(extent, Math.hypot(dx, dy));
  }
  const scale = 140 / (extent * 1.05); // px per metre
  const xy = (lat, lon) => [160 + (lon - lon0) * kx * scale, 160 - (lat - lat0) * ky * scale];
  const kids = [s("rect", { x: 0, y: 0, width: 320, height: 320, fill: "#f7fafc" })];
  kids.push(s("circle", { cx: 160, cy: 160, r: (q.radius_m * scale).toFixed(1), fill: "rgba(29,95,168,.06)", stroke: "#1d5fa8", "stroke-dasharray": "4 3" }));
  const colors = { result: "#1d5fa8", soon: "#7d8a97", beyond: "#8e44ad" };
  for (const p of pts.slice().reverse()) {
    const [x, y] = xy(p.o.location.lat, p.o.location.lon);
    const g = s("g", { class: `marker ${p.cls}`, "data-n": String(p.n) });
    g.append(s("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 8, fill: colors[p.cls], stroke: "#fff", "stroke-width": 1.5 }));
    g.append(s("text", { x: x.toFixed(1), y: (y + 3.5).toFixed(1), "text-anchor": "middle", "font-size": 10, fill: "#fff", "font-weight": "bold" }, String(p.n)));
    g.append(s("title", {}, `${p.n} ${p.o.name}`));
    kids.push(g);
  }
  kids.push(s("text", { x: 160, y: 167, "text-anchor": "middle", "font-size": 20, fill: "#d35400" }, "★"));
  // Scale bar: a round length near a quarter of the width.
  const target = 80 / scale;
  const bar = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000].reduce((b, v) => (Math.abs(v - target) < Math.abs(b - target) ? v : b));
  kids.push(s("line", { x1: 12, y1: 305, x2: 12 + bar * scale, y2: 305, stroke: "#34414e", "stroke-width": 2 }));
  kids.push(s("text", { x: 12, y: 298, "font-size": 10, fill: "#34414e" }, bar >= 1000 ? `${bar / 1000} 公里` : `${bar} 米`));
  kids.push(s("text", { x: 306, y: 18, "text-anchor": "end", "font-size": 11, fill: "#34414e" }, "北 ↑"));
  svg.replaceChildren(...kids);
}

// ---- Global keys
document.addEventListener("keydown", (ev) => {
  const t = ev.target;
  const typing = t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;
  if (ev.altKey && /^[1-4]$/.test(ev.key)) {
    const b = document.querySelectorAll("#place-confirm .runner-up")[Number(ev.key) - 1];
    if (b) { ev.preventDefault(); b.click(); }
    return;
  }
  if (ev.key === "Escape") { $("sentence").focus(); $("sentence").select(); return; }
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === "/") { ev.preventDefault(); $("sentence").focus(); $("sentence").select(); return; }
  if (/^[1-9]$/.test(ev.key)) {
    const li = state.numbered[Number(ev.key) - 1];
    if (li) { ev.preventDefault(); toggle(li, true); }
  }
});

// ---- Copy, navigation links
async function copyText(text) {
  state.lastCopied = text;
  try { await navigator.clipboard.writeText(text); return true; } catch {
    const t = el("textarea", { "aria-hidden": "true" });
    t.value = text;
    t.style.position = "fixed"; t.style.opacity = "0";
    document.body.append(t);
    t.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch { ok = false; }
    t.remove();
    return ok;
  }
}

function copyButton(text, label, cls) {
  const b = el("button", { type: "button", class: `small ${cls || ""}` }, label);
  b.addEventListener("click", async (ev) => {
    ev.stopPropagation();
    const ok = await copyText(text);
    b.textContent = ok ? "已复制" : "请手动复制";
    setTimeout(() => { b.textContent = label; }, 1500);
  });
  return b;
}

// Amap takes GCJ-02 (the outlet's location_gcj02); Baidu takes BD-09, made from GCJ-02 by Baidu's published offset.
function amapURL(o) {
  const p = o.location_gcj02;
  return `https://uri.amap.com/marker?position=${p.lon},${p.lat}&name=${encodeURIComponent(o.name)}&src=servicecircle&coordinate=gaode&callnative=0`;
}
function gcj02ToBd09(lat, lon) {
  const xp = Math.PI * 3000 / 180;
  const z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * xp);
  const t = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * xp);
  return { lat: z * Math.sin(t) + 0.006, lon: z * Math.cos(t) + 0.0065 };
}
function baiduURL(o) {
  const b = gcj02ToBd09(o.location_gcj02.lat, o.location_gcj02.lon);
  return `https://api.map.baidu.com/marker?location=${b.lat.toFixed(6)},${b.lon.toFixed(6)}&title=${encodeURIComponent(o.name)}` +
    `&content=${encodeURIComponent(o.address)}&output=html&coord_type=bd09ll&src=servicecircle`;
}

// ---- The one box: the caller's sentence to /v1/ask
const CONFIDENCE_ZH = { high: "把握较大", confirm: "请与来电人确认", low: "把握不大，务必确认" };

function askURL() {
  const p = new URLSearchParams();
  p.set("q", $("sentence").value.trim());
  if (state.choices.business) p.set("business", state.choices.business);
  if (state.choices.place_id) p.set("place_id", state.choices.place_id);
  return "/v1/ask?" + p.toString();
}

async function ask() {
  const text = $("sentence").value.trim();
  if (!text) { message("请输入来电人说的话", true); $("sentence").focus(); return; }
  const j = await fetchAnswer(askURL());
  if (!j) return;
  renderAsk(j);
  document.body.dataset.state = "done";
}

function renderAsk(j) {
  const u = j.understood;
  const bits = [];
  if (u.place) bits.push(`地点：${u.place.full_name}（${CONFIDENCE_ZH[u.place.confidence] || ""}）`);
  else bits.push("地点：未听出");
  bits.push(`业务：${u.businesses.length ? u.businesses.map((b) => b.name_zh).join("、") : (j.online.length ? "网上办理" : "未听出")}`);
  bits.push(`到访：${u.at.replace("T", " ").slice(0, 16)}${u.calendar_known ? "" : "（节假日安排尚未公布）"}`);
  if (u.coverage && u.coverage.in_catalogue === false) bits.push(u.coverage.message_zh);
  $("understood-text").textContent = bits.join("　");
  const box = $("clarify");
  box.replaceChildren();
  u.clarify.forEach((c) => {
    const d = el("div", { class: "question", "data-kind": c.kind }, el("span", { text: c.question_zh }));
    c.options.forEach((o) => {
      const b = el("button", { type: "button", class: "option", "data-value": o.value }, o.label_zh);
      b.addEventListener("click", () => { state.choices[c.kind === "place" ? "place_id" : "business"] = o.value; ask(); });
      d.append(b);
    });
    box.append(d);
  });
  $("readback").textContent = j.read_back_zh;
  $("understood").hidden = false;
  showGuide(j.guide);
  const a = j.answer;
  if (a) {
    render(a, { name_zh: u.businesses.map((b) => b.name_zh).join("、") || "业务" });
    const first = a.results[0] || a.opening_soon[0] || a.nearest_open_beyond_radius;
    if (first) {
      const o = first.outlet;
      const sms = `【车驾管办理】${o.name}，地址：${o.address}${o.phone ? "，电话：" + o.phone : ""}，${first.status_text_zh}。高德导航：${amapURL(o)}`;
      $("sms-text").textContent = sms;
      $("sms-link").href = "sms:?body=" + encodeURIComponent(sms);
      $("sms-box").hidden = false;
    } else $("sms-box").hidden = true;
  } else {
    for (const id of ["results", "soon", "beyond"]) $(id).replaceChildren();
    $("fallbacks").hidden = true;
    $("place-confirm").hidden = true;
    $("sms-box").hidden = true;
    $("map").replaceChildren();
    state.numbered = [];
    message(j.read_back_zh, !u.place);
  }
  const firstQuestion = box.querySelector("button");
  if (firstQuestion && !a) firstQuestion.focus();
}

// The 办事指南 of the understood business, under the read-back: a few lines from /v1/business-types/{code}/guide
// (documents, agent, online, appointment, fees), each with its source on hover.
let guideToken = 0;
async function showGuide(g) {
  const token = ++guideToken;
  const box = $("guide-box");
  if (!g) { box.hidden = true; return; }
  try {
    const r = await fetch(g.guide_url);
    if (!r.ok || token !== guideToken) return;
    const d = await r.json();
    const cite = (i) => i.source.regulation + (i.source.article ? i.source.article : "");
    const line = (label, items) => {
      if (!items.length) return null;
      const li = el("li", { text: `${label}：${items.map((i) => i.text_zh).join("；")}` });
      li.title = "依据：" + [...new Set(items.map(cite))].join("；");
      return li;
    };
    const lines = [line("材料", d.documents), line("委托代理", d.agent), line("网上办理", d.online),
                   line("预约", d.appointment), line("收费", d.fees)].filter(Boolean);
    $("guide-title").textContent = `办事指南（${d.business.name_zh}）`;
    $("guide-link").href = g.guide_url;
    $("guide-lines").replaceChildren(...lines);
    box.hidden = false;
  } catch (e) { box.hidden = true; }
}

$("ask").addEventListener("submit", (ev) => { ev.preventDefault(); state.choices = {}; ask(); });
$("sentence").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); state.choices = {}; ask(); }
});
$("copy-readback").addEventListener("click", async () => {
  const ok = await copyText($("readback").textContent);
  $("copy-readback").textContent = ok ? "已复制" : "请手动复制";
  setTimeout(() => { $("copy-readback").textContent = "复制读回句"; }, 1500);
});
$("copy-sms").addEventListener("click", async () => {
  const ok = await copyText($("sms-text").textContent);
  $("copy-sms").textContent = ok ? "已复制" : "请手动复制";
  setTimeout(() => { $("copy-sms").textContent = "复制短信"; }, 1500);
});
