// The admin dashboard: a thin view over the read API (GET /api/v1/points,
// verify, stats, devices). The admin token stays in this tab's
// sessionStorage and goes out only as a Bearer header to this same
// origin; every value is put in the page with textContent, never as HTML.
"use strict";

const views = {
  points: "/api/v1/points",
  verify: "/api/v1/verify",
  stats: "/api/v1/stats",
  devices: "/api/v1/devices",
};
let view = "points";

function $(id) { return document.getElementById(id); }

async function api(path) {
  const token = sessionStorage.getItem("bbt-token");
  const r = await fetch(path, { headers: { Authorization: "Bearer " + token } });
  const body = await r.json().catch(() => ({ error: "not JSON (" + r.status + ")" }));
  if (!r.ok) throw new Error(body.error || String(r.status));
  return body;
}

function cellText(v) {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(x => typeof x === "object" ? JSON.stringify(x) : x)
    .join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function render(rows) {
  const thead = $("report").tHead, tbody = $("report").tBodies[0];
  thead.replaceChildren();
  tbody.replaceChildren();
  $("status").textContent = rows.length + " rows";
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const hr = thead.insertRow();
  for (const c of cols) {
    const th = document.createElement("th");
    th.textContent = c;
    hr.appendChild(th);
  }
  for (const row of rows) {
    const tr = tbody.insertRow();
    for (const c of cols) {
      const td = tr.insertCell();
      td.textContent = cellText(row[c]);
      if (c === "status" || c === "online") td.className = String(row[c]);
    }
  }
}

function query() {
  const q = new URLSearchParams();
  for (const el of $("filters").elements) {
    if (!el.name || !el.value) continue;
    if (el.closest("label").dataset.for.split(" ").includes(view)) q.set(el.name, el.value);
  }
  return q.toString();
}

async function show() {
  for (const b of document.querySelectorAll("nav button"))
    b.classList.toggle("active", b.dataset.view === view);
  for (const l of document.querySelectorAll("#filters label"))
    l.hidden = !l.dataset.for.split(" ").includes(view);
  $("status").textContent = "…";
  try {
    const q = query();
    render(await api(views[view] + (q ? "?" + q : "")));
  } catch (e) {
    render([]);
    $("status").textContent = e.message;
    $("status").className = "error";
    return;
  }
  $("status").className = "";
}

async function signIn(token) {
  sessionStorage.setItem("bbt-token", token);
  try {
    const me = await api("/api/v1/me");
    $("who").textContent = me.name + " · " + (me.school ? "学校 " + me.school : "全区 bureau");
  } catch (e) {
    sessionStorage.removeItem("bbt-token");
    $("signin-error").textContent = e.message;
    return;
  }
  $("signin").hidden = true;
  $("app").hidden = false;
  $("signout").hidden = false;
  show();
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin").addEventListener("submit", ev => {
    ev.preventDefault();
    signIn($("token").value.trim());
  });
  $("signout").addEventListener("click", () => {
    sessionStorage.removeItem("bbt-token");
    location.reload();
  });
  $("filters").addEventListener("submit", ev => { ev.preventDefault(); show(); });
  for (const b of document.querySelectorAll("nav button"))
    b.addEventListener("click", () => { view = b.dataset.view; show(); });
  const saved = sessionStorage.getItem("bbt-token");
  if (saved) signIn(saved);
});
