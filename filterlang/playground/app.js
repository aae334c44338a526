// filterlang playground: a textarea with a highlighted overlay, completion, live errors,
// and the server's answers (JSON, SQL, check, overview). The language lives on the server:
// this file only draws what the endpoints say, and colours tokens with the rules generated
// from the grammar's token table (tokens.json).
//
// Positions: the server counts code points (Python), the browser UTF-16 units. Every
// position crossing that line goes through cpToU16 / u16ToCp.
"use strict";

const EXAMPLES = [
  ['gpt models that cost', 'model ~ "gpt%" and cost > 0.01'],
  ['errors in the last week', 'status >= 400 and request_created_at > now - 7d'],
  ['a property and a list', 'properties["environment"] = "production" and provider in ("openai", "anthropic")'],
  ['heavy users', 'user_total_requests > 50 or user_cost between 1 and 100'],
  ['not, with null', 'not (cached = true) and request_referrer is not null'],
  ['everything', 'all'],
];

const $ = (id) => document.getElementById(id);
const editor = $("filter");
const hl = $("hl");
const list = $("completions");
let rules = null;
let lastError = null; // {start, end} in UTF-16 units, or null
let lastJson = null;
let completions = [];
let selected = 0;
let seq = 0; // answers older than the latest request are dropped

// ---------------------------------------------------------------- positions

function cpToU16(s, cp) {
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) i += s.codePointAt(i) > 0xffff ? 2 : 1;
  return i;
}
function u16ToCp(s, u) {
  let n = 0;
  for (let i = 0; i < u && i < s.length; n++) i += s.codePointAt(i) > 0xffff ? 2 : 1;
  return n;
}
// 1-based line and column in code points -> UTF-16 offset into s
function lineColToU16(s, line, column) {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = s.indexOf("\n", start);
    if (nl < 0) break;
    start = nl + 1;
  }
  return start + cpToU16(s.slice(start), column - 1);
}

// ---------------------------------------------------------------- API

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("apikey").value.trim();
  if (key) h.Authorization = "Bearer " + key;
  return h;
}
async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body) });
  let payload = null;
  try { payload = await r.json(); } catch (e) { payload = { data: null, error: `HTTP ${r.status}` }; }
  return payload;
}

// ---------------------------------------------------------------- highlighting

function tokenize(text) {
  const out = [];
  let state = rules.root;
  let pos = 0;
  while (pos < text.length) {
    let hit = null;
    for (const rule of state) {
      rule.re.lastIndex = pos;
      const m = rule.re.exec(text);
      if (m && m[0].length) { hit = [rule, m[0].length]; break; }
    }
    if (!hit) {
      if (state !== rules.root) { state = rules.root; continue; }
      out.push([pos, pos + 1, "plain"]);
      pos += 1;
      continue;
    }
    const [rule, len] = hit;
    out.push([pos, pos + len, rule.category]);
    pos += len;
    if (rule.terminal === rules.enterRelative) state = rules.relative;
  }
  return out;
}

function esc(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function render() {
  const text = editor.value;
  const caret = editor.selectionStart;
  const cuts = new Set([0, text.length, caret]);
  const toks = rules ? tokenize(text) : [[0, text.length, "plain"]];
  for (const [s, e] of toks) { cuts.add(s); cuts.add(e); }
  if (lastError) { cuts.add(lastError.start); cuts.add(lastError.end); }
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  let html = "";
  let t = 0;
  for (let i = 0; i < points.length - 1; i++) {
    const [s, e] = [points[i], points[i + 1]];
    if (s === caret) html += '<span id="caret-mark"></span>';
    while (t < toks.length && toks[t][1] <= s) t++;
    const cat = t < toks.length && toks[t][0] <= s ? toks[t][2] : "plain";
    const err = lastError && s >= lastError.start && e <= lastError.end;
    const cls = [cat !== "plain" && cat !== "space" ? "t-" + cat : "", err ? "err" : ""].filter(Boolean).join(" ");
    html += cls ? `<span class="${cls}">${esc(text.slice(s, e))}</span>` : esc(text.slice(s, e));
  }
  if (caret === text.length) html += '<span id="caret-mark"></span>';
  if (lastError && lastError.start >= text.length) html += '<span class="err err-eol"></span>';
  hl.innerHTML = html + "\n";
  hl.scrollTop = editor.scrollTop;
  hl.scrollLeft = editor.scrollLeft;
}

// ---------------------------------------------------------------- live answers

let liveTimer = 0;
let dirty = false; // the editor changed since the last answers were asked for
function schedule() {
  dirty = true;
  clearTimeout(liveTimer);
  liveTimer = setTimeout(refresh, 120);
  saveUrl();
}

async function refresh() {
  dirty = false;
  const text = editor.value;
  const mine = ++seq;
  const [parsed, sql, check] = await Promise.all([
    post("/v1/filters/parse", { filter: text }),
    post("/v1/filters/sql", { filter: text, dialect: $("dialect").value || "duckdb", profile: $("profile").value }),
    post("/v1/filters/check", { filter: text }),
  ]);
  if (mine !== seq) return;
  const status = $("status");
  if (parsed.error) {
    const d = parsed.details || {};
    if (d.line && d.column) {
      const start = lineColToU16(text, d.line, d.column);
      const endCol = d.end_column && d.end_column > d.column ? d.end_column : d.column + 1;
      lastError = { start, end: Math.min(lineColToU16(text, d.line, endCol), Math.max(text.length, start)) };
      if (lastError.end <= lastError.start) lastError.end = lastError.start + (start < text.length ? 1 : 0);
    } else {
      lastError = null;
    }
    status.textContent = parsed.error;
    status.className = "status bad";
    $("json").classList.add("stale");
    $("sql").classList.add("stale");
    lastJson = null;
  } else {
    lastError = null;
    lastJson = parsed.data;
    status.textContent = "✓ valid";
    status.className = "status";
    $("json").textContent = JSON.stringify(parsed.data, null, 2);
    $("json").classList.remove("stale");
    if (sql.data) {
      const params = sql.data.params && Object.keys(sql.data.params).length
        ? "\n\n-- params: " + JSON.stringify(sql.data.params) : "";
      $("sql").textContent = sql.data.sql + params;
      $("sql").classList.remove("stale");
    } else {
      $("sql").textContent = sql.error;
    }
    const warnings = $("warnings");
    warnings.innerHTML = "";
    const items = check.data ? check.data.warnings : [];
    for (const w of items) {
      const li = document.createElement("li");
      li.textContent = `${w.path}: ${w.message}`;
      warnings.appendChild(li);
    }
    if (!items.length) warnings.innerHTML = '<li class="none">no differences from upstream</li>';
    clearTimeout(overviewTimer);
    overviewTimer = setTimeout(runOverview, 400);
  }
  render();
  updateCurl();
}

// ---------------------------------------------------------------- overview charts

let overviewTimer = 0;
let overviewSeq = 0;
async function runOverview() {
  if (dirty) { clearTimeout(liveTimer); await refresh(); } // run what the editor shows now
  if (lastJson === null) return;
  const mine = ++overviewSeq;
  const body = { filter: lastJson, pSize: $("psize").value, useInterquartile: $("iqr").checked };
  const st = $("overview-status");
  st.textContent = "running…";
  const t0 = performance.now();
  const res = await post("/v1/user/metrics-overview/query", body);
  if (mine !== overviewSeq) return;
  if (res.error) {
    st.textContent = res.error;
    st.className = "overview-status bad";
    return;
  }
  for (const measure of ["request_count", "user_cost"]) drawChart(measure, res.data[measure] || []);
  st.textContent = `overview ${body.pSize}${body.useInterquartile ? " · interquartile" : ""} in ${Math.round(performance.now() - t0)} ms`;
  st.className = "overview-status";
  st.dataset.done = String(mine);
}

function drawChart(measure, buckets) {
  const box = $("chart-" + measure);
  box.innerHTML = "";
  const top = Math.max(0, ...buckets.map((b) => b.value));
  for (const b of buckets) {
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.dataset.value = String(b.value);
    bar.dataset.range = `${b.range_start}..${b.range_end}`;
    bar.style.height = top > 0 ? `${(100 * b.value) / top}%` : "1px";
    bar.title = `${b.range_start} – ${b.range_end}: ${b.value}`;
    box.appendChild(bar);
  }
  const axis = document.createElement("div");
  axis.className = "axis";
  const fmt = (x) => (Number.isFinite(+x) ? String(+(+x).toPrecision(3)) : x);
  axis.innerHTML = buckets.length
    ? `<span>${esc(fmt(buckets[0].range_start))}</span><span>${esc(fmt(buckets[buckets.length - 1].range_end))}</span>` : "<span>no users</span>";
  for (const old of box.parentNode.querySelectorAll(".axis")) old.remove();
  box.after(axis);
}

// ---------------------------------------------------------------- completion

let completeTimer = 0;
function scheduleComplete() {
  clearTimeout(completeTimer);
  completeTimer = setTimeout(fetchCompletions, 60);
}

async function fetchCompletions() {
  const text = editor.value;
  const caretU16 = editor.selectionStart;
  if (editor.selectionEnd !== caretU16 || document.activeElement !== editor) return hideCompletions();
  const res = await post("/v1/filters/complete", { filter: text, cursor: u16ToCp(text, caretU16) });
  if (editor.value !== text || editor.selectionStart !== caretU16) return; // typed on meanwhile
  completions = (res.data || []).slice(0, 50);
  selected = 0;
  showCompletions();
}

function showCompletions() {
  if (!completions.length) return hideCompletions();
  list.innerHTML = "";
  completions.forEach((c, i) => {
    const li = document.createElement("li");
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", String(i === selected));
    li.innerHTML = `<span class="k-${c.kind}">${esc(c.text)}</span><span class="kind">${c.kind}</span>`;
    li.addEventListener("mousedown", (ev) => { ev.preventDefault(); accept(i); });
    list.appendChild(li);
  });
  render();
  const mark = $("caret-mark");
  const box = $("editor").getBoundingClientRect();
  if (mark) {
    const r = mark.getBoundingClientRect();
    list.style.left = `${Math.max(0, Math.min(r.left - box.left, box.width - 240))}px`;
    list.style.top = `${r.bottom - box.top + 4}px`;
  }
  list.hidden = false;
}

function hideCompletions() {
  completions = [];
  list.hidden = true;
}

function accept(i) {
  const c = completions[i];
  if (!c) return;
  const text = editor.value;
  const start = cpToU16(text, c.start);
  const end = cpToU16(text, c.end);
  const glue = c.kind === "key" || c.text === "(" || /^\s/.test(text.slice(end)) ? "" : " ";
  const insert = c.text + glue;
  editor.setRangeText(insert, start, end, "end");
  hideCompletions();
  onEdit();
}

function moveSelection(delta) {
  selected = (selected + delta + completions.length) % completions.length;
  [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === selected)));
  list.children[selected].scrollIntoView({ block: "nearest" });
}

// ---------------------------------------------------------------- URL, curl

function saveUrl() {
  const q = new URLSearchParams();
  q.set("filter", editor.value);
  q.set("dialect", $("dialect").value || "duckdb");
  q.set("profile", $("profile").value);
  q.set("pSize", $("psize").value);
  if ($("iqr").checked) q.set("iqr", "1");
  history.replaceState(null, "", "?" + q.toString());
}

function loadUrl() {
  const q = new URLSearchParams(location.search);
  editor.value = q.has("filter") ? q.get("filter") : EXAMPLES[0][1];
  if (q.get("profile")) $("profile").value = q.get("profile");
  if (q.get("pSize")) $("psize").value = q.get("pSize");
  $("iqr").checked = q.get("iqr") === "1";
  return q.get("dialect");
}

function shellQuote(s) {
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

function updateCurl() {
  const body = { filter: lastJson === null ? "all" : lastJson, pSize: $("psize").value, useInterquartile: $("iqr").checked };
  const key = $("apikey").value.trim();
  const parts = [
    "curl -sS -X POST " + shellQuote(location.origin + "/v1/user/metrics-overview/query"),
    "-H 'Content-Type: application/json'",
  ];
  if (key) parts.push("-H " + shellQuote("Authorization: Bearer " + key));
  parts.push("-d " + shellQuote(JSON.stringify(body)));
  $("curl").textContent = parts.join(" \\\n  ");
}

async function copyCurl() {
  updateCurl();
  const pre = $("curl");
  pre.hidden = false;
  try {
    await navigator.clipboard.writeText(pre.textContent);
    $("copycurl").textContent = "Copied ✓";
  } catch (e) {
    $("copycurl").textContent = "Select and copy below";
  }
  setTimeout(() => { $("copycurl").textContent = "Copy as curl"; }, 1500);
}

// ---------------------------------------------------------------- wiring

function onEdit() {
  render();
  schedule();
  scheduleComplete();
}

editor.addEventListener("input", onEdit);
editor.addEventListener("scroll", () => { hl.scrollTop = editor.scrollTop; hl.scrollLeft = editor.scrollLeft; });
editor.addEventListener("click", () => { render(); scheduleComplete(); });
editor.addEventListener("blur", () => setTimeout(hideCompletions, 100));
editor.addEventListener("keyup", (ev) => {
  if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(ev.key)) { render(); scheduleComplete(); }
});
editor.addEventListener("keydown", (ev) => {
  if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") {
    ev.preventDefault();
    clearTimeout(overviewTimer);
    runOverview();
    return;
  }
  if ((ev.ctrlKey || ev.metaKey) && ev.key === " ") { ev.preventDefault(); fetchCompletions(); return; }
  if (list.hidden) return;
  if (ev.key === "ArrowDown") { ev.preventDefault(); moveSelection(1); }
  else if (ev.key === "ArrowUp") { ev.preventDefault(); moveSelection(-1); }
  else if (ev.key === "Tab" || ev.key === "Enter") { ev.preventDefault(); accept(selected); }
  else if (ev.key === "Escape") { ev.preventDefault(); hideCompletions(); }
});
document.addEventListener("keydown", (ev) => {
  if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter" && ev.target !== editor) { ev.preventDefault(); runOverview(); }
});
$("run").addEventListener("click", runOverview);
$("copycurl").addEventListener("click", copyCurl);
for (const id of ["dialect", "profile"]) $(id).addEventListener("change", () => { schedule(); });
for (const id of ["psize", "iqr"]) $(id).addEventListener("change", () => { saveUrl(); updateCurl(); runOverview(); });
$("keyform").addEventListener("submit", (ev) => ev.preventDefault());
$("apikey").addEventListener("change", () => { sessionStorage.setItem("filterlang-key", $("apikey").value); refresh(); });
$("examples").addEventListener("change", (ev) => {
  if (ev.target.value === "") return;
  editor.value = EXAMPLES[+ev.target.value][1];
  ev.target.value = "";
  onEdit();
  editor.focus();
});

async function init() {
  const sel = $("examples");
  sel.innerHTML = '<option value="">choose…</option>' + EXAMPLES.map(([name], i) => `<option value="${i}">${esc(name)}</option>`).join("");
  $("apikey").value = sessionStorage.getItem("filterlang-key") || "";
  const wantDialect = loadUrl();
  const [tok, doc] = await Promise.all([
    fetch("tokens.json").then((r) => r.json()),
    fetch("/openapi.json").then((r) => r.json()).catch(() => null),
  ]);
  const compile = (r) => ({ ...r, re: new RegExp(r.source, "y" + r.flags) });
  rules = { root: tok.root.map(compile), relative: tok.relative.map(compile), enterRelative: tok.enterRelative };
  let dialects = ["duckdb"];
  try { dialects = doc.components.schemas.SqlRequest.properties.dialect.enum; } catch (e) { /* older server */ }
  $("dialect").innerHTML = dialects.map((d) => `<option>${esc(d)}</option>`).join("");
  $("dialect").value = dialects.includes(wantDialect) ? wantDialect : "duckdb";
  render();
  await refresh();
  document.body.dataset.ready = "1";
}

init();
