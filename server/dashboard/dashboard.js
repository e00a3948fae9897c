// The admin console: views over the documented read API (GET /api/v1/
// points, verify, stats, devices, teachers; each also as format=xlsx|csv).
// Invariants:
//  - every value reaches the page through textContent, never as HTML;
//  - the period goes out as either week= or from=/to=, never both (the
//    filters keep both inputs, but one clears the other);
//  - errors shown are this console's own words in the chosen language,
//    keyed by the error's code or HTTP status, never the server's text
//    (which is written for the CLI and names its flags);
//  - sign-in is the session cookie (POST /api/v1/signin); an admin token
//    pasted instead stays in this tab's sessionStorage and goes out only as
//    a Bearer header to this origin.
"use strict";

/* ---------- words ---------- */

const WORDS = {
  zh: {
    title: "班班通应用管理", signout: "退出", signin_title: "登录", name: "用户名",
    password: "密码", signin: "登录", token_summary: "使用管理员令牌登录（接口用户）",
    token_ph: "管理员令牌", v_overview: "总览", v_schools: "学校", v_points: "教师积分",
    v_verify: "专递课堂", v_devices: "设备", v_stats: "统计", f_week: "周次", f_from: "自",
    f_to: "至", f_school: "学校", all_schools: "全部学校", show: "查询",
    clear_period: "清除时段", export_xlsx: "导出 Excel", export_csv: "导出 CSV",
    bureau: "全区", rows: n => n + " 条", loading: "正在加载…", none: "暂无数据",
    week_of: (w, a, b) => w + "（" + a + " 至 " + b + "）",
    period: (a, b) => "时段：" + a + " 至 " + b,
    online_now: "当前在线设备", offline_now: "离线设备", coverage_week: "教室覆盖率",
    qual_week: "达标使用次数", points_week: "积分", last_week: "前一周",
    live_week: "专递课堂已开课", attention: "需要关注的学校", attention_none: "各校均正常",
    why_offline: n => n + " 台设备离线", why_missed: n => n + " 节专递课堂未开课",
    why_cov: p => "教室覆盖率仅 " + p + "%",
    c_coverage: "各校教室覆盖率（%）", c_trend: "本学期每周达标课次",
    c_live: "专递课堂核验结果", c_devices: "设备在线情况",
    classrooms: "教室", teachers: "教师", sessions_of: "本周授课记录",
    back: "← 返回", lesson_ends: "两端核验", evidence: "佐证会话",
    device_detail: "设备详情", inputs: "输入设备", unattributed: "未归属",
    yes: "是", no: "否", online: "在线", offline: "离线", revoked: "已吊销",
    school_code: "学校代码", minutes: n => n + " 分钟",
    err_bad_credentials: "用户名或密码错误", err_throttled: s => "尝试次数过多，请 " + s +
      " 秒后再试", err_400: "查询条件有误，请检查周次或日期", err_401: "请重新登录",
    err_403: "无权查看该学校的数据", err_404: "未找到", err_5xx: "服务器出错，请稍后再试",
    err_net: "无法连接服务器", err_signin_missing: "此服务器尚未启用密码登录，请使用令牌",
  },
  en: {
    title: "Classroom board usage", signout: "Sign out", signin_title: "Sign in",
    name: "Name", password: "Password", signin: "Sign in",
    token_summary: "Sign in with an admin token (API users)", token_ph: "admin token",
    v_overview: "Overview", v_schools: "Schools", v_points: "Teacher points",
    v_verify: "Live lessons", v_devices: "Devices", v_stats: "Statistics", f_week: "Week",
    f_from: "From", f_to: "To", f_school: "School", all_schools: "All schools",
    show: "Show", clear_period: "Clear dates", export_xlsx: "Excel", export_csv: "CSV",
    bureau: "whole district", rows: n => n + " rows", loading: "Loading…",
    none: "No data", week_of: (w, a, b) => w + " (" + a + " to " + b + ")",
    period: (a, b) => "Period: " + a + " to " + b,
    online_now: "Devices online now", offline_now: "Offline", coverage_week:
      "Classroom coverage", qual_week: "Qualifying sessions",
    points_week: "Points", last_week: "week before",
    live_week: "Live lessons delivered", attention: "Schools that need attention",
    attention_none: "All schools are fine", why_offline: n => n + " device(s) offline",
    why_missed: n => n + " live lesson(s) missed", why_cov: p => "coverage only " + p + "%",
    c_coverage: "Classroom coverage by school (%)",
    c_trend: "Qualifying sessions per week this term", c_live: "Live-lesson outcomes",
    c_devices: "Devices online", classrooms: "Classrooms", teachers: "Teachers",
    sessions_of: "Sessions this week", back: "← Back", lesson_ends: "Both ends",
    evidence: "Evidence sessions", device_detail: "Device", inputs: "Input devices",
    unattributed: "Unattributed", yes: "yes", no: "no", online: "online",
    offline: "offline", revoked: "revoked", school_code: "School code",
    minutes: n => n + " min",
    err_bad_credentials: "Wrong name or password",
    err_throttled: s => "Too many tries; wait " + s + " s", err_400:
      "The filters do not make a valid query: check the week or dates",
    err_401: "Please sign in again", err_403: "You may not see that school's data",
    err_404: "Not found", err_5xx: "The server failed; try again later",
    err_net: "Cannot reach the server",
    err_signin_missing: "Password sign-in is not enabled here; use a token",
  },
};

// Column headers (report keys) and values. Chinese terms: docs/console.md.
const COLS = {
  // The same words as the workbook's headers (server/report_xlsx.c), so the
  // screen and the exported sheet agree; "school" shows the name here.
  zh: {
    teacher_id: "教师工号", teacher_name: "教师姓名", school: "学校", week: "周次",
    qualifying: "达标次数", credited: "计分", points: "积分", sessions: "使用次数",
    teaching_hours: "授课时长（小时）", weeks_credited: "计分周数",
    live_delivered: "直播课已开课", first: "首次使用", last: "最近使用", level: "层级",
    district: "区县", name: "名称", classrooms: "教室数", enrolled_devices: "注册设备数",
    devices_seen: "在线设备数", active_classrooms: "使用教室数",
    coverage_pct: "使用覆盖率（%）", qualifying_sessions: "达标使用次数",
    live_scheduled: "直播课安排", live_partial: "直播课部分开课",
    live_missed: "直播课未开课", live_unknown: "直播课待核验", live_no_device: "直播课无设备",
    equipment_score: "基础建设与应用得分", id: "会话编号", start: "开始时间",
    end: "结束时间", duration_s: "时长（分钟）", room: "教室", reason: "原因", seq: "序号",
    type: "授课类型", subject: "学科", teacher: "主讲教师", course: "课程名称",
    end_role: "角色", status: "核验结果", covered_min: "覆盖分钟", device_id: "设备编号",
    hostname: "主机名", online: "在线", last_seen: "最近联系",
    clock_offset_s: "时钟偏差（秒）", buffered: "待上传", agent_version: "版本",
    inputs: "输入设备",
  },
  en: {
    teacher_id: "ID", teacher_name: "Teacher", school: "School", week: "Week",
    qualifying: "Qualifying", credited: "Credited", points: "Points", seq: "No.",
    type: "Type", subject: "Subject", teacher: "Teacher", course: "Course",
    start: "Start", end: "End", end_role: "End", room: "Room", status: "Result",
    covered_min: "Covered min", level: "Level", district: "District", name: "Name",
    classrooms: "Classrooms", enrolled_devices: "Enrolled", devices_seen: "Seen",
    active_classrooms: "Active rooms", coverage_pct: "Coverage %",
    qualifying_sessions: "Qualifying", teaching_hours: "Hours", live_scheduled: "Live",
    live_delivered: "Delivered", live_partial: "Partial", live_missed: "Missed",
    live_unknown: "Unknown", live_no_device: "No device", equipment_score: "Score",
    device_id: "Device", hostname: "Host", agent_version: "Version",
    last_seen: "Last seen", online: "Status", clock_offset_s: "Clock offset (s)",
    buffered: "Buffered", inputs: "Inputs", sessions: "Sessions",
    weeks_credited: "Weeks credited", first: "First", last: "Last", id: "Session",
    duration_s: "Minutes", reason: "Why",
  },
};
const VALUES = {
  zh: {
    // 5.5's statuses as a 电教 officer says them; docs/console.md says why.
    delivered: "已开课", partial: "部分开课", missed: "未开课", unknown: "待核验",
    no_device: "无设备", deliver: "主讲端", receive: "接收端", school: "学校",
    district: "区县", total: "合计", credited: "已计分", "weekly cap reached": "超出每周上限",
    "shorter than 15 min": "不足15分钟", unattributed: "未归属",
  },
  en: {},
};

let lang = localStorage.getItem("bbt-lang") === "en" ? "en" : "zh";
function t(k, ...a) {
  const w = WORDS[lang][k];
  return typeof w === "function" ? w(...a) : w === undefined ? k : w;
}
function colName(k) { return COLS[lang][k] || k; }
function valName(v) { return VALUES[lang][v] || v; }

/* ---------- small helpers ---------- */

function $(id) { return document.getElementById(id); }
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

const ZONE = "Asia/Shanghai";
function ymd(d) { return d.toLocaleDateString("en-CA", { timeZone: ZONE }); }
function addDays(s, n) {
  const d = new Date(s + "T12:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
function isoWeek(s) {			// "2026-11-25" -> "2026-W48"
  const d = new Date(s + "T12:00:00Z");
  const wd = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - wd + 3);
  const y = d.getUTCFullYear();
  const jan4 = new Date(Date.UTC(y, 0, 4));
  const w = 1 + Math.round(((d - jan4) / 86400000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
  return y + "-W" + String(w).padStart(2, "0");
}
function weekMonday(w) {		// "2026-W48" -> "2026-11-23"
  const [y, n] = w.split("-W").map(Number);
  const jan4 = new Date(Date.UTC(y, 0, 4));
  jan4.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() + 6) % 7) + (n - 1) * 7);
  return jan4.toISOString().slice(0, 10);
}
function termStart(s) {			// the autumn term from Sep 1, spring from Feb 15
  const [y, m] = s.split("-").map(Number);
  if (m >= 9) return y + "-09-01";
  if (m >= 3 || (m === 2 && Number(s.slice(8)) >= 15)) return y + "-02-15";
  return (y - 1) + "-09-01";
}
function shortTime(v) {			// ISO 8601 -> "11-23 08:00"
  return typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) ?
    v.slice(5, 10) + " " + v.slice(11, 16) : v;
}

/* ---------- the API ---------- */

class ApiError extends Error {
  constructor(status, code, retry) {
    super("api " + status);
    this.status = status; this.code = code; this.retry = retry;
  }
  text() {
    if (this.code === "bad_credentials") return t("err_bad_credentials");
    if (this.code === "throttled") return t("err_throttled", this.retry || 60);
    if (this.status === 0) return t("err_net");
    if (this.status >= 500) return t("err_5xx");
    return t("err_" + this.status) === "err_" + this.status ? t("err_400") :
      t("err_" + this.status);
  }
}

let csrf = sessionStorage.getItem("bbt-csrf") || "";
function headers(extra) {
  const h = Object.assign({}, extra);
  const token = sessionStorage.getItem("bbt-token");
  if (token) h.Authorization = "Bearer " + token;
  if (csrf) h["X-CSRF-Token"] = csrf;
  return h;
}
async function request(method, path, body) {
  let r;
  try {
    r = await fetch(path, { method, credentials: "same-origin",
      headers: headers(body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined });
  } catch (e) {
    throw new ApiError(0);
  }
  if (r.status === 204) return null;
  const j = await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, j && j.code, r.headers.get("Retry-After"));
  return j;
}
function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return request("GET", "/api/v1/" + path + (s ? "?" + s : ""));
}
async function download(report, params, fmt, filename) {
  const q = new URLSearchParams(Object.assign({}, params, { format: fmt, lang }));
  for (const [k, v] of [...q]) if (!v) q.delete(k);
  let r;
  try {
    r = await fetch("/api/v1/" + report + "?" + q, { credentials: "same-origin",
      headers: headers() });
  } catch (e) {
    throw new ApiError(0);
  }
  if (!r.ok) {
    const j = await r.json().catch(() => null);
    throw new ApiError(r.status, j && j.code);
  }
  const url = URL.createObjectURL(await r.blob());
  const a = el("a");
  a.href = url;
  a.download = filename + "." + fmt;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/* ---------- filters: one period, never two ---------- */

const state = Object.assign({ week: "", from: "", to: "", school: "" },
  JSON.parse(sessionStorage.getItem("bbt-filters") || "{}"));
let me = null;
const schoolNames = new Map();		// code -> name, from stats
const schoolDistrict = new Map();

function saveFilters() { sessionStorage.setItem("bbt-filters", JSON.stringify(state)); }
function today() { return ymd(new Date()); }
function currentWeek() { return state.week || isoWeek(today()); }
// The period as dates: the custom range if set, else the chosen week.
function periodDates() {
  if (state.from || state.to) {
    const from = state.from || state.to, to = state.to || state.from;
    return { from, to };
  }
  const mon = weekMonday(currentWeek());
  return { from: mon, to: addDays(mon, 6) };
}
// The period for `points`: week= alone, or from=/to= alone.
function pointsPeriod() {
  return state.from || state.to ? periodDates() : { week: currentWeek() };
}
function schoolParam() { return me && me.scope === "school" ? "" : state.school; }
function schoolLabel(code) {
  if (code === null || code === undefined || code === "") return t("unattributed");
  const n = schoolNames.get(code);
  return n ? n : code;
}

function fillFilters() {
  const f = $("filters");
  f.week.value = state.from || state.to ? "" : currentWeek();
  f.from.value = state.from;
  f.to.value = state.to;
  const sel = f.school;
  while (sel.options.length > 1) sel.remove(1);
  for (const [code, name] of schoolNames) {
    const o = el("option", "", name + "（" + code + "）");
    o.value = code;
    sel.appendChild(o);
  }
  sel.value = state.school;
  $("f-school").hidden = me && me.scope === "school";
  const p = periodDates();
  $("period-note").textContent = state.from || state.to ? t("period", p.from, p.to) :
    t("week_of", currentWeek(), p.from, p.to);
}

/* ---------- tables: cards on a phone ---------- */

// cols: [key, {fmt, cls, prio}]; prio 2 columns hide on narrow screens.
function table(rows, cols, onRow) {
  if (!rows.length) return el("p", "note", t("none"));
  const tb = el("table", "report");
  const hr = tb.createTHead().insertRow();
  for (const [k, o] of cols) {
    const th = el("th", o && o.prio ? "p" + o.prio : "", colName(k));
    hr.appendChild(th);
  }
  const body = tb.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const [k, o] of cols) {
      const v = o && o.fmt ? o.fmt(r[k], r) : r[k] === null || r[k] === undefined ? "" :
        typeof r[k] === "boolean" ? t(r[k] ? "yes" : "no") : valName(r[k]);
      const td = tr.insertCell();
      td.textContent = v;
      td.dataset.label = colName(k);
      if (o && o.prio) td.classList.add("p" + o.prio);
      if (o && o.cls) td.classList.add(...[o.cls(r[k], r)].filter(Boolean));
    }
    if (onRow) {
      tr.classList.add("link");
      tr.tabIndex = 0;
      tr.addEventListener("click", () => onRow(r));
      tr.addEventListener("keydown", ev => { if (ev.key === "Enter") onRow(r); });
    }
  }
  return tb;
}
const fSchool = { fmt: v => schoolLabel(v) };
const fTime = { fmt: v => shortTime(v) || "" };
const fStatus = { fmt: v => valName(v), cls: v => "st-" + v };

/* ---------- charts ---------- */

const charts = [];
function chart(box, title, config) {
  const fig = el("figure", "chart");
  fig.appendChild(el("figcaption", "", title));
  const wrap = el("div", "canvas-wrap");
  const c = el("canvas");
  wrap.appendChild(c);
  fig.appendChild(wrap);
  box.appendChild(fig);
  config.options = Object.assign({ animation: false, responsive: true,
    maintainAspectRatio: false, plugins: {} }, config.options);
  charts.push(new Chart(c, config));
}
const COLOR = { delivered: "#3a9a4a", partial: "#e0a020", missed: "#c8403a",
  unknown: "#9a9a9a", no_device: "#c8c8c8", main: "#2f6fb3", line: "#2f6fb3" };

/* ---------- views ---------- */

const views = {};
let exportSpec = null;			// { report, params, name } of the view shown

function setTitle(s) { $("view-title").textContent = s; }
function exportAs(report, params, name) { exportSpec = { report, params, name }; }

async function loadStats(p) {
  const rows = await api("stats", { from: p.from, to: p.to, school: schoolParam() });
  for (const r of rows) {
    if (r.level === "school" && r.school) {
      schoolNames.set(r.school, r.name);
      schoolDistrict.set(r.school, r.district);
    }
  }
  return rows;
}

views.overview = async box => {
  setTitle(t("v_overview"));
  const p = periodDates();
  const prev = { from: addDays(p.from, -7), to: addDays(p.to, -7) };
  const wk = currentWeek();
  const prevWeek = isoWeek(addDays(weekMonday(wk), -7));
  const tsFrom = termStart(p.to);
  const [st, stPrev, dev, trend] = await Promise.all([loadStats(p), loadStats(prev),
    api("devices", { school: schoolParam() }),
    api("points", { from: tsFrom, to: p.to, school: schoolParam() })]);
  exportAs("stats", { from: p.from, to: p.to, school: schoolParam() }, t("v_overview"));
  const sch = st.filter(r => r.level === "school");
  const sum = (rows, k) => rows.reduce((a, r) => a + (Number(r[k]) || 0), 0);
  const schPrev = stPrev.filter(r => r.level === "school");
  const on = dev.filter(d => d.online && !d.revoked).length;
  const off = dev.filter(d => !d.online && !d.revoked).length;
  const rooms = sum(sch, "classrooms"), active = sum(sch, "active_classrooms");
  const cards = el("div", "cards");
  const card = (label, value, sub, cls) => {
    const c = el("div", "card " + (cls || ""));
    c.appendChild(el("div", "label", label));
    c.appendChild(el("div", "value", value));
    if (sub) c.appendChild(el("div", "sub", sub));
    cards.appendChild(c);
  };
  card(t("online_now"), on + " / " + (on + off), t("offline_now") + " " + off,
    off ? "warn" : "");
  card(t("coverage_week"), (rooms ? Math.round(active * 1000 / rooms) / 10 : 0) + "%",
    active + " / " + rooms + " " + t("classrooms"));
  card(t("qual_week"), sum(sch, "qualifying_sessions"),
    t("last_week") + " " + sum(schPrev, "qualifying_sessions"));
  card(t("points_week"), sum(sch, "points"), t("last_week") + " " + sum(schPrev, "points"));
  card(t("live_week"), sum(sch, "live_delivered") + " / " + sum(sch, "live_scheduled"),
    ["delivered", "partial", "missed", "unknown"].map(s => valName(s) + " " +
      sum(sch, "live_" + s)).join(" · "), sum(sch, "live_missed") ? "warn" : "");
  box.appendChild(cards);

  // Schools that need attention first: offline devices, missed lessons, low coverage.
  const offBy = new Map();
  for (const d of dev) if (!d.online && !d.revoked) offBy.set(d.school, (offBy.get(d.school) || 0) + 1);
  const att = sch.map(r => {
    const why = [];
    if (offBy.get(r.school)) why.push(t("why_offline", offBy.get(r.school)));
    if (r.live_missed) why.push(t("why_missed", r.live_missed));
    if (r.coverage_pct < 60) why.push(t("why_cov", r.coverage_pct));
    return { r, why, score: (offBy.get(r.school) || 0) * 10 + r.live_missed * 5 +
      (100 - r.coverage_pct) / 10 };
  }).filter(a => a.why.length).sort((a, b) => b.score - a.score);
  const ab = el("section", "attention");
  ab.appendChild(el("h3", "", t("attention")));
  if (!att.length) ab.appendChild(el("p", "note", t("attention_none")));
  const ul = el("ul");
  for (const a of att) {
    const li = el("li", "link");
    li.appendChild(el("b", "", a.r.name));
    li.appendChild(el("span", "", " " + a.why.join("；")));
    li.tabIndex = 0;
    li.addEventListener("click", () => go("school/" + a.r.school));
    ul.appendChild(li);
  }
  ab.appendChild(ul);
  box.appendChild(ab);

  const grid = el("div", "charts");
  box.appendChild(grid);
  chart(grid, t("c_coverage"), { type: "bar",
    data: { labels: sch.map(r => r.name), datasets: [{ label: colName("coverage_pct"),
      data: sch.map(r => r.coverage_pct), backgroundColor: COLOR.main }] },
    options: { scales: { y: { min: 0, max: 100 } }, plugins: { legend: { display: false } } } });
  const weeks = [];
  for (let m = weekMonday(isoWeek(tsFrom)); m <= p.to; m = addDays(m, 7)) weeks.push(isoWeek(m));
  const perWeek = new Map(weeks.map(w => [w, 0]));
  for (const r of trend) if (perWeek.has(r.week)) perWeek.set(r.week, perWeek.get(r.week) + r.qualifying);
  chart(grid, t("c_trend"), { type: "line",
    data: { labels: weeks, datasets: [{ label: colName("qualifying_sessions"),
      data: weeks.map(w => perWeek.get(w)), borderColor: COLOR.line,
      backgroundColor: COLOR.line, tension: 0.2 }] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { display: false } } } });
  const outcomes = ["delivered", "partial", "missed", "unknown", "no_device"];
  chart(grid, t("c_live"), { type: "bar",
    data: { labels: sch.map(r => r.name), datasets: outcomes.map(s => ({ label: valName(s),
      data: sch.map(r => r["live_" + s]), backgroundColor: COLOR[s] })) },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
      ticks: { precision: 0 } } } } });
  const dn = [...new Set(dev.map(d => d.school))];
  chart(grid, t("c_devices"), { type: "bar",
    data: { labels: dn.map(schoolLabel), datasets: [
      { label: t("online"), backgroundColor: COLOR.delivered,
        data: dn.map(s => dev.filter(d => d.school === s && d.online).length) },
      { label: t("offline"), backgroundColor: COLOR.missed,
        data: dn.map(s => dev.filter(d => d.school === s && !d.online).length) }] },
    options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true,
      ticks: { precision: 0 } }, y: { stacked: true } } } });
};

views.schools = async box => {
  setTitle(t("v_schools"));
  const p = periodDates();
  const rows = (await loadStats(p)).filter(r => r.level === "school");
  exportAs("stats", { from: p.from, to: p.to, school: schoolParam() }, t("v_schools"));
  box.appendChild(table(rows, [["name"], ["school", { prio: 2 }], ["district", { prio: 2 }],
    ["classrooms"], ["coverage_pct"], ["qualifying_sessions"], ["points", { prio: 2 }],
    ["live_missed", { prio: 2 }]], r => go("school/" + r.school)));
};

views.school = async (box, code) => {
  const p = periodDates();
  await loadStats(p);
  setTitle(schoolLabel(code));
  const [dev, tea, ver] = await Promise.all([api("devices", { school: code }),
    api("teachers", { from: p.from, to: p.to, school: code }),
    api("verify", { from: p.from, to: p.to, school: code })]);
  exportAs("teachers", { from: p.from, to: p.to, school: code }, schoolLabel(code));
  box.appendChild(el("p", "note", t("school_code") + " " + code + " · " +
    (schoolDistrict.get(code) || "")));
  box.appendChild(el("h3", "", t("classrooms")));
  const rooms = new Map();
  for (const d of dev) rooms.set(d.room, { room: d.room, device_id: d.device_id,
    online: d.online, last_seen: d.last_seen, live_delivered: 0, live_missed: 0 });
  for (const v of ver) {
    const r = rooms.get(v.room) || { room: v.room, live_delivered: 0, live_missed: 0 };
    if (v.status === "delivered") r.live_delivered++;
    if (v.status === "missed") r.live_missed++;
    rooms.set(v.room, r);
  }
  box.appendChild(table([...rooms.values()], [["room"], ["online", { fmt: (v, r) =>
    r.device_id ? t(v ? "online" : "offline") : valName("no_device"), cls: v => v ? "" : "st-missed" }],
    ["last_seen", fTime], ["live_delivered"], ["live_missed"]],
  r => r.device_id && go("device/" + r.device_id)));
  box.appendChild(el("h3", "", t("teachers")));
  box.appendChild(table(tea, [["teacher_name", { fmt: v => v || t("unattributed") }],
    ["teacher_id", { prio: 2 }], ["sessions"], ["qualifying"], ["credited"], ["points"],
    ["teaching_hours", { prio: 2 }]], r => r.teacher_id &&
      go("teacher/" + encodeURIComponent(r.school) + "/" + encodeURIComponent(r.teacher_id))));
};

views.points = async box => {
  setTitle(t("v_points"));
  const per = pointsPeriod();
  await loadStats(periodDates());
  const params = Object.assign({ school: schoolParam() }, per);
  const rows = await api("points", params);
  exportAs("points", Object.assign({ explain: 1 }, params), t("v_points"));
  box.appendChild(table(rows, [["teacher_name", { fmt: v => v || t("unattributed") }],
    ["teacher_id", { prio: 2, fmt: v => v || "" }], ["school", fSchool], ["week", { prio: 2 }],
    ["qualifying"], ["credited"], ["points"]],
  r => go("teacher/" + encodeURIComponent(r.school || "") + "/" +
    encodeURIComponent(r.teacher_id || ""))));
};

views.teacher = async (box, school, id) => {
  const per = pointsPeriod();
  await loadStats(periodDates());
  const params = Object.assign({ school, explain: 1 }, per);
  const rows = (await api("points", params)).filter(r => (r.teacher_id || "") === id);
  const name = rows.length && rows[0].teacher_name ? rows[0].teacher_name :
    id || t("unattributed");
  setTitle(name + " · " + schoolLabel(school));
  exportAs("points", params, name);
  box.appendChild(table(rows, [["week"], ["qualifying"], ["credited"], ["points"]]));
  box.appendChild(el("h3", "", t("sessions_of")));
  const ss = rows.flatMap(r => r.sessions || []);
  box.appendChild(table(ss, [["start", fTime], ["end", { prio: 2, fmt: shortTime }],
    ["duration_s", { fmt: v => Math.round(v / 60) }], ["room"],
    ["credited", { cls: v => v ? "st-delivered" : "" }], ["reason", { fmt: v => valName(v) }]]));
};

views.verify = async box => {
  setTitle(t("v_verify"));
  const p = periodDates();
  await loadStats(p);
  const params = { from: p.from, to: p.to, school: schoolParam() };
  const rows = await api("verify", params);
  exportAs("verify", params, t("v_verify"));
  box.appendChild(table(rows, [["seq", { prio: 2 }], ["start", fTime], ["subject"],
    ["course", { prio: 2 }], ["teacher", { prio: 2 }], ["end_role", { fmt: valName }],
    ["school", fSchool], ["room"], ["status", fStatus], ["covered_min", { prio: 2 }]],
  r => go("lesson/" + encodeURIComponent(r.seq) + "/" + encodeURIComponent(r.start))));
};

views.lesson = async (box, seq, start) => {
  const d = start.slice(0, 10);
  await loadStats(periodDates());
  const params = { from: d, to: d, school: schoolParam() };
  const rows = (await api("verify", params)).filter(r => r.seq === seq && r.start === start);
  exportAs("verify", params, t("v_verify") + "-" + seq);
  setTitle(rows.length ? rows[0].subject + " · " + rows[0].course : seq);
  if (rows.length) box.appendChild(el("p", "note", rows[0].type + " · " + rows[0].teacher +
    " · " + shortTime(rows[0].start) + "–" + shortTime(rows[0].end).slice(6)));
  box.appendChild(el("h3", "", t("lesson_ends")));
  const cards = el("div", "cards");
  for (const r of rows) {
    const c = el("div", "card st-" + r.status);
    c.appendChild(el("div", "label", valName(r.end_role) + " · " + schoolLabel(r.school) +
      " · " + r.room));
    c.appendChild(el("div", "value", valName(r.status)));
    c.appendChild(el("div", "sub", colName("covered_min") + " " + r.covered_min));
    c.appendChild(el("div", "sub", t("evidence") + "：" + ((r.sessions || []).join(", ") || "—")));
    cards.appendChild(c);
  }
  box.appendChild(cards);
};

views.devices = async box => {
  setTitle(t("v_devices"));
  await loadStats(periodDates());
  const params = { school: schoolParam() };
  const rows = await api("devices", params);
  exportAs("devices", params, t("v_devices"));
  box.appendChild(table(rows, [["school", fSchool], ["room"],
    ["online", { fmt: (v, r) => r.revoked ? t("revoked") : t(v ? "online" : "offline"),
      cls: v => v ? "st-delivered" : "st-missed" }],
    ["last_seen", fTime], ["clock_offset_s", { prio: 2 }], ["buffered", { prio: 2 }],
    ["hostname", { prio: 2 }], ["agent_version", { prio: 2 }]],
  r => go("device/" + r.device_id)));
};

views.device = async (box, id) => {
  await loadStats(periodDates());
  const rows = (await api("devices", { school: schoolParam() }))
    .filter(r => r.device_id === id);
  exportAs("devices", { school: schoolParam() }, t("v_devices"));
  setTitle(t("device_detail"));
  if (!rows.length) { box.appendChild(el("p", "note", t("none"))); return; }
  const d = rows[0];
  const dl = el("dl", "facts");
  const fact = (k, v) => { dl.appendChild(el("dt", "", colName(k))); dl.appendChild(el("dd", "", v)); };
  fact("school", schoolLabel(d.school));
  fact("room", d.room);
  fact("online", d.revoked ? t("revoked") : t(d.online ? "online" : "offline"));
  fact("last_seen", d.last_seen || "—");
  // Null: never measured, which is not 0.
  fact("clock_offset_s", d.clock_offset_s === null ? "—" : d.clock_offset_s);
  fact("buffered", d.buffered === null ? "—" : d.buffered);
  fact("hostname", d.hostname);
  fact("agent_version", d.agent_version);
  fact("device_id", d.device_id);
  // The agent's own summary of its input devices (the report's "inputs").
  fact("inputs", d.inputs || "—");
  box.appendChild(dl);
};

views.stats = async box => {
  setTitle(t("v_stats"));
  const p = periodDates();
  const rows = await loadStats(p);
  exportAs("stats", { from: p.from, to: p.to, school: schoolParam() }, t("v_stats"));
  box.appendChild(table(rows, [["name"], ["level", { prio: 2, fmt: valName }],
    ["classrooms"], ["enrolled_devices", { prio: 2 }], ["devices_seen", { prio: 2 }],
    ["coverage_pct"], ["qualifying_sessions"], ["teaching_hours", { prio: 2 }],
    ["points"], ["live_scheduled", { prio: 2 }], ["live_delivered", { prio: 2 }],
    ["live_partial", { prio: 2 }], ["live_missed", { prio: 2 }],
    ["live_unknown", { prio: 2 }], ["equipment_score", { prio: 2 }]],
  r => r.level === "school" && go("school/" + r.school)));
};

/* ---------- routing and rendering ---------- */

function go(h) { location.hash = "#" + h; }
function route() {
  const parts = (location.hash.slice(1) || "overview").split("/").map(decodeURIComponent);
  return views[parts[0]] ? parts : ["overview"];
}

let showing = 0;
async function show() {
  const parts = route();
  const n = ++showing;
  for (const a of $("nav").querySelectorAll("a"))
    a.classList.toggle("active", a.getAttribute("href") === "#" + parts[0] ||
      ({ school: "schools", teacher: "points", lesson: "verify", device: "devices" })[parts[0]] ===
        a.getAttribute("href").slice(1));
  while (charts.length) charts.pop().destroy();
  const box = el("div");
  $("status").textContent = t("loading");
  $("status").className = "";
  exportSpec = null;
  try {
    await views[parts[0]](box, ...parts.slice(1));
  } catch (e) {
    if (n !== showing) return;
    if (e instanceof ApiError && e.status === 401) return signedOut(t("err_401"));
    if (!(e instanceof ApiError)) console.error(e);
    $("status").textContent = e instanceof ApiError ? e.text() : t("err_5xx");
    $("status").className = "error";
    $("view").replaceChildren();
    return;
  }
  if (n !== showing) return;
  $("status").textContent = "";
  $("view").replaceChildren(box);
  $("x-xlsx").disabled = $("x-csv").disabled = !exportSpec;
  fillFilters();
}

function translate() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  for (const e of document.querySelectorAll("[data-tp]")) e.placeholder = t(e.dataset.tp);
  $("lang").textContent = lang === "zh" ? "English" : "中文";
  if (me) $("who").textContent = me.name + " · " + (me.scope === "school" ?
    (me.school_name || schoolLabel(me.school)) : t("bureau"));
}

function signedIn(who) {
  me = who;
  localStorage.setItem("bbt-signed-in", "1");
  $("signin").hidden = true;
  $("app").hidden = false;
  $("signout").hidden = false;
  translate();
  show();
}
function signedOut(msg) {
  me = null;
  localStorage.removeItem("bbt-signed-in");
  sessionStorage.removeItem("bbt-token");
  sessionStorage.removeItem("bbt-csrf");
  csrf = "";
  $("app").hidden = true;
  $("signout").hidden = true;
  $("signin").hidden = false;
  $("who").textContent = "";
  $("signin-error").textContent = msg || "";
}

async function signInPassword(name, password) {
  try {
    const r = await request("POST", "/api/v1/signin", { name, password });
    csrf = r.csrf || "";
    sessionStorage.setItem("bbt-csrf", csrf);
    signedIn(await api("me"));
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    $("signin-error").textContent = e.status === 404 || e.status === 405 ?
      t("err_signin_missing") : e.status === 401 && !e.code ? t("err_bad_credentials") :
        e.text();
  }
}
async function signInToken(token) {
  sessionStorage.setItem("bbt-token", token);
  try {
    signedIn(await api("me"));
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    sessionStorage.removeItem("bbt-token");
    $("signin-error").textContent = e.status === 401 ? t("err_bad_credentials") : e.text();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const f = $("filters");
  // A link may name the week (`make demo` prints /?week=2026-W48).
  const qw = new URLSearchParams(location.search).get("week");
  if (qw && /^\d{4}-W\d\d$/.test(qw)) {
    Object.assign(state, { week: qw, from: "", to: "" });
    saveFilters();
  }
  // One period: a week, or dates; choosing one clears the other.
  f.week.addEventListener("change", () => { f.from.value = ""; f.to.value = ""; });
  for (const i of [f.from, f.to]) i.addEventListener("change", () => {
    if (f.from.value || f.to.value) f.week.value = "";
  });
  f.addEventListener("submit", ev => {
    ev.preventDefault();
    state.from = f.from.value;
    state.to = f.to.value;
    // The week stays chosen under dates, for when they are cleared.
    state.week = f.week.value || state.week;
    state.school = f.school.value;
    saveFilters();
    show();
  });
  $("f-clear").addEventListener("click", () => {
    state.from = state.to = "";
    saveFilters();
    show();
  });
  $("signin").addEventListener("submit", ev => {
    ev.preventDefault();
    signInPassword($("si-name").value.trim(), $("si-pass").value);
  });
  $("si-token-go").addEventListener("click", () => signInToken($("si-token").value.trim()));
  $("signout").addEventListener("click", async () => {
    if (!sessionStorage.getItem("bbt-token"))
      await request("POST", "/api/v1/signout").catch(() => null);
    signedOut();
  });
  $("lang").addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("bbt-lang", lang);
    translate();
    if (me) show();
  });
  const exp = fmt => async () => {
    if (!exportSpec) return;
    try {
      await download(exportSpec.report, exportSpec.params, fmt, exportSpec.name);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      $("status").textContent = e.text();
      $("status").className = "error";
    }
  };
  $("x-xlsx").addEventListener("click", exp("xlsx"));
  $("x-csv").addEventListener("click", exp("csv"));
  window.addEventListener("hashchange", () => { if (me) show(); });
  translate();
  // Ask who we are only when this browser signed in before: a signed-out
  // visit shows the form without a failing request.
  if (localStorage.getItem("bbt-signed-in") || sessionStorage.getItem("bbt-token"))
    api("me").then(signedIn, () => signedOut());
  else
    signedOut();
});
