// console.mjs: the admin console in a real browser (headless Chromium
// driven by playwright-core) against a real bbt-server holding the demo
// data (tests/console/run.sh sets it up). Each check prints PASS or FAIL;
// the last line is "console: P passed, F failed". Environment:
//   BBT_URL, BBT_WEEK        the collector and the demo's week
//   BBT_BUREAU, BBT_SCHOOL   NAME:PASSWORD of a bureau and a school admin
//   BBT_OTHER_SCHOOL         a school the school admin must never see
//   BBT_SHOTS, BBT_TMP       where screenshots and downloads go
//   BBT_NODE_MODULES         where playwright-core is installed
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import path from "node:path";
import fs from "node:fs";

const require = createRequire(path.join(process.env.BBT_NODE_MODULES, "x.js"));
const { chromium } = require("playwright-core");

const URL0 = process.env.BBT_URL, WEEK = process.env.BBT_WEEK;
const SHOTS = process.env.BBT_SHOTS, TMP = process.env.BBT_TMP;
const OTHER = process.env.BBT_OTHER_SCHOOL;
const HERE = path.dirname(new URL(import.meta.url).pathname);
let pass = 0, fail = 0;
function check(name, ok, detail) {
  if (ok) { pass++; console.log("PASS " + name); }
  else { fail++; console.log("FAIL " + name + (detail ? ": " + detail : "")); }
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"] });

// A page that records console errors, failed requests and the API calls.
async function open(viewport) {
  const ctx = await browser.newContext({ viewport, acceptDownloads: true,
    locale: "zh-CN" });
  const page = await ctx.newPage();
  page.errors = [];
  page.calls = [];
  page.on("console", m => { if (m.type() === "error") page.errors.push(m.text()); });
  page.on("pageerror", e => page.errors.push(String(e)));
  page.on("request", r => { if (r.url().includes("/api/v1/")) page.calls.push(r.url()); });
  page.on("response", r => {
    if (r.status() >= 400)
      page.errors.push(r.status() + " " + r.url());
  });
  await page.goto(URL0 + "?week=" + WEEK);
  return page;
}

// NAME:PASSWORD, or token:HEX where the collector has no password sign-in
// (run.sh then also reports that as a failure).
async function signIn(page, cred) {
  const [name, password] = cred.split(":");
  if (name === "token") {
    await page.click("#signin summary");
    await page.fill("#si-token", password);
    await page.click("#si-token-go");
    await page.waitForSelector("#app:not([hidden])", { timeout: 5000 });
    return;
  }
  await page.fill("#si-name", name);
  await page.fill("#si-pass", password);
  await page.click("#signin button[type=submit]");
  await page.waitForSelector("#app:not([hidden])", { timeout: 5000 });
}

// Show a view and wait until it has rendered (or failed).
async function view(page, hash) {
  await page.evaluate(h => { location.hash = h; }, hash);
  await page.waitForFunction(() => {
    const s = document.getElementById("status");
    return s.textContent !== "正在加载…" && s.textContent !== "Loading…";
  }, null, { timeout: 10000 }).catch(() => null);
  await page.waitForTimeout(50);
  return page.evaluate(() => ({
    status: document.getElementById("status").textContent + " ",
    error: document.getElementById("status").className === "error",
    children: document.getElementById("view").children.length,
    text: document.getElementById("view").innerText + " " +
      document.getElementById("filters").innerText,
    headers: [...document.querySelectorAll("#view th")].map(th => th.textContent),
    title: document.getElementById("view-title").textContent,
  }));
}

async function exportFile(page, which) {
  const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 10000 }),
    page.click(which === "xlsx" ? "#x-xlsx" : "#x-csv")]);
  const f = path.join(TMP, (await dl.suggestedFilename()).replace(/[^\w.\u4e00-\u9fff-]/g, "_"));
  await dl.saveAs(f);
  return f;
}
function readXlsx(f) {
  return JSON.parse(execFileSync("python3", [path.join(HERE, "xlsx_read.py"), f],
    { encoding: "utf8" }));
}

/* ---- a bureau officer at 1366 x 768 ---- */
let page = await open({ width: 1366, height: 768 });

// A wrong password: the form says so in Chinese, naming nothing technical.
const tokenMode = process.env.BBT_BUREAU.startsWith("token:");
if (!tokenMode) {
await page.fill("#si-name", process.env.BBT_BUREAU.split(":")[0]);
await page.fill("#si-pass", "wrong-password");
await page.click("#signin button[type=submit]");
await page.waitForFunction(() => document.getElementById("signin-error").textContent !== "",
  null, { timeout: 5000 }).catch(() => null);
const bad = await page.textContent("#signin-error");
check("a wrong password is refused in Chinese", bad === "用户名或密码错误", bad);
page.errors.length = 0;			// the 401 of that try is expected
}
// GET an API path as the signed-in page does (cookie, or the tab's token).
const apiGet = (pg, p) => pg.evaluate(async p => {
  const t = sessionStorage.getItem("bbt-token");
  const r = await fetch(p, { headers: t ? { Authorization: "Bearer " + t } : {} });
  return r.json();
}, p);

await signIn(page, process.env.BBT_BUREAU);
check("password sign-in shows the console", await page.isVisible("#nav"));
const who = await page.textContent("#who");
check("the header names the officer and the scope", /全区/.test(who), who);

const demoDevice = (await apiGet(page, "/api/v1/devices"))[0].device_id;
const period = await page.evaluate(w => {
  const [y, n] = w.split("-W").map(Number);
  const j = new Date(Date.UTC(y, 0, 4));
  j.setUTCDate(j.getUTCDate() - ((j.getUTCDay() + 6) % 7) + (n - 1) * 7);
  const e = new Date(j); e.setUTCDate(e.getUTCDate() + 6);
  return [j.toISOString().slice(0, 10), e.toISOString().slice(0, 10)];
}, WEEK);
const lessons = await apiGet(page, "/api/v1/verify?from=" + period[0] + "&to=" + period[1]);
const lesson = lessons.length ? lessons[0].seq + "/" + encodeURIComponent(lessons[0].start) : "";

const VIEWS = [["overview", "总览"], ["schools", "学校"], ["points", "教师积分"],
  ["verify", "专递课堂"], ["devices", "设备"], ["stats", "统计"],
  ["school/610102001", "学校详情"], ["teacher/610102001/T1001", "教师详情"],
  ["lesson/" + lesson, "专递课堂详情"], ["device/" + demoDevice, "设备详情"]];
const rawKey = /^[a-z]+(_[a-z]+)+$|^(teacher|school|status|room|online|week|points)$/;
for (const [h, name] of VIEWS) {
  const v = await view(page, h);
  check("view " + name + " renders", !v.error && v.children > 0,
    v.status + " " + page.errors.join(" | "));
  const raw = v.headers.filter(x => rawKey.test(x));
  check("view " + name + ": Chinese headers", raw.length === 0, raw.join(","));
  check("view " + name + ": no raw status value",
    !/\b(delivered|partial|missed|no_device|unattributed|weekly cap)\b/.test(v.text));
  await page.screenshot({ path: path.join(SHOTS, h.split("/")[0] + ".png"), fullPage: true });
}

// Names, not only codes; the unattributed row is named.
let v = await view(page, "points");
check("points show school names", v.text.includes("西安市第一小学"));
check("unattributed sessions are named 未归属", v.text.includes("未归属"));
v = await view(page, "teacher/610102001/T1001");
check("a teacher's week explains each session",
  v.text.includes("已计分") && v.text.includes("超出每周上限"), v.text.slice(0, 200));
v = await view(page, "lesson/" + lesson);
check("a lesson shows both ends", (v.text.match(/主讲端|接收端/g) || []).length >= 2);

// Every chart has pixels drawn.
await view(page, "overview");
const drawn = await page.evaluate(() => [...document.querySelectorAll("canvas")].map(c => {
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
  return n;
}));
check("the overview has four charts", drawn.length === 4, String(drawn.length));
check("every chart's canvas has pixels drawn", drawn.length && drawn.every(n => n > 500),
  drawn.join(","));
v = await view(page, "overview");
check("the overview lists schools that need attention", /需要关注/.test(v.text) &&
  /未开课/.test(v.text), v.text.slice(0, 300));

// At 1366 the stats table fits the page.
await view(page, "stats");
const sw = await page.evaluate(() => [document.querySelector("#view table").scrollWidth,
  document.documentElement.scrollWidth]);
check("the stats table fits at 1366", sw[0] <= 1366 && sw[1] <= 1366, sw.join(" "));

// Export: the workbook has text codes and date-time cells, Chinese headers.
await view(page, "points");
let f = await exportFile(page, "xlsx");
let x = readXlsx(f);
const ci = x.headers.indexOf("学校代码"), ti = x.headers.indexOf("开始时间");
check("xlsx export has Chinese headers", ci >= 0 && ti >= 0, x.headers.join(","));
check("xlsx: school codes are text cells", x.rows.length > 0 &&
  x.rows.every(r => r[ci].t === "text" && /^\d{9}$/.test(r[ci].v)),
JSON.stringify(x.rows[0] && x.rows[0][ci]));
check("xlsx: times are date cells", x.rows.some(r => r[ti] && r[ti].t === "date"),
  JSON.stringify(x.rows[0] && x.rows[0][ti]));
check("xlsx: the header row is frozen", x.frozen);
f = await exportFile(page, "csv");
const csv = fs.readFileSync(f, "utf8");
check("CSV export: BOM and Chinese headers", csv.charCodeAt(0) === 0xfeff &&
  csv.includes("教师工号"), csv.slice(0, 40));
for (const h of ["verify", "devices", "stats", "school/610102001"]) {
  await view(page, h);
  x = readXlsx(await exportFile(page, "xlsx"));
  check("view " + h + " exports xlsx", x.headers.length > 0 && x.rows.length > 0);
}

// The filter bug: Points (a week) -> Verify (dates) -> Points never sends
// both, never gets a 400, and never shows a CLI flag.
page.calls.length = 0;
await view(page, "points");
await page.fill("#filters input[name=week]", WEEK);
await page.click("#filters button[type=submit]");
await page.waitForTimeout(300);
await view(page, "verify");
const mon = await page.evaluate(() => document.getElementById("period-note").textContent);
await page.fill("#filters input[name=from]", "2026-09-01");
await page.dispatchEvent("#filters input[name=from]", "change");
await page.fill("#filters input[name=to]", "2026-12-31");
await page.dispatchEvent("#filters input[name=to]", "change");
await page.click("#filters button[type=submit]");
await page.waitForTimeout(300);
v = await view(page, "points");
const both = page.calls.filter(u => /[?&]week=/.test(u) && /[?&](from|to)=/.test(u));
check("Points → Verify → Points renders", !v.error && v.children > 0, v.status + " " + mon);
check("no request sends week and dates together", both.length === 0, both.join(" "));
check("no message names a CLI flag", !/--[a-z]/.test(await page.innerText("body")));
const keep = await page.evaluate(() => document.querySelector("#filters input[name=from]").value);
check("filters keep their values", keep === "2026-09-01", keep);
await page.click("#f-clear");
await page.waitForTimeout(300);

// English as a switch.
await page.click("#lang");
v = await view(page, "points");
check("English switch", v.title === "Teacher points" && v.headers.includes("Teacher"),
  v.title + " " + v.headers.join(","));
await page.click("#lang");
await view(page, "overview");
check("no console errors (bureau)", page.errors.length === 0, page.errors.join(" | "));

await page.click("#signout");
await page.waitForSelector("#signin:not([hidden])");
check("sign-out shows the sign-in form", await page.isVisible("#si-name"));
const after = await page.evaluate(async () => (await fetch("/api/v1/me")).status);
check("after sign-out the session is gone", after === 401, String(after));
await page.context().close();

/* ---- a school admin: only their school, everywhere ---- */
page = await open({ width: 1366, height: 768 });
await signIn(page, process.env.BBT_SCHOOL);
const otherName = "西安市第二小学";
for (const [h, name] of VIEWS.slice(0, 7)) {
  v = await view(page, h);
  check("school admin: " + name + " renders", !v.error && v.children > 0, v.status);
  check("school admin: " + name + " shows no other school",
    !v.text.includes(OTHER) && !v.text.includes(otherName));
  if (!v.error && h !== "overview") {
    const xf = await exportFile(page, "xlsx");
    const raw = execFileSync("unzip", ["-p", xf], { encoding: "utf8" });
    check("school admin: " + name + " export has no other school",
      !raw.includes(OTHER) && !raw.includes(otherName));
  }
}
await view(page, "overview");
await page.screenshot({ path: path.join(SHOTS, "school-admin-overview.png"), fullPage: true });
check("no console errors (school admin)", page.errors.length === 0, page.errors.join(" | "));
await page.context().close();

/* ---- a phone, 390 px wide ---- */
page = await open({ width: 390, height: 844 });
await signIn(page, process.env.BBT_BUREAU);
for (const [h, name] of VIEWS) {
  v = await view(page, h);
  const w = await page.evaluate(() => [document.documentElement.scrollWidth,
    document.body.scrollWidth, Math.max(...[...document.querySelectorAll("#view *")]
      .map(e => e.getBoundingClientRect().right))]);
  check("phone: " + name + " has no horizontal scroll", !v.error && w[0] <= 390 &&
    w[1] <= 390 && w[2] <= 391, w.join(" "));
  await page.screenshot({ path: path.join(SHOTS, "phone-" + h.split("/")[0] + ".png"),
    fullPage: true });
}
check("no console errors (phone)", page.errors.length === 0, page.errors.join(" | "));
await browser.close();

console.log("console: " + pass + " passed, " + fail + " failed");
process.exit(fail ? 1 : 0);
