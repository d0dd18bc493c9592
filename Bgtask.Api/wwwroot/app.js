// The Bgtask dashboard: plain JavaScript, no build step. It reads the HTTP API and follows the live event
// stream (GET /api/tasks/events) with fetch, so the X-Api-Key header can be sent.
"use strict";

const LABELS = { pending: "Undefined", running: "Run", sleeping: "Sleep", stopped: "Stoped", finished: "Finished", error: "Error" };
const LIVE = new Set(["pending", "running", "sleeping"]);
const KEY = "bgtask.apiKey";
const $ = (id) => document.getElementById(id);

const state = {
  tasks: new Map(),       // pid -> task, on the current page
  order: [],              // pids on the current page, newest first
  pages: [],              // the `after` of each page seen (null for the first)
  next: null,
  current: null,          // the pid on the task page
  log: { pid: null, last: 0 },
  config: null,
  lastEventId: null,
  statusOf: new Map(),    // pid -> status, of every task the counts have seen
  overflow: new Set(),    // the statuses with more tasks than the counts read
  history: [],            // the open task's points: { t, status, frozen, progress, memory }
  task: null,             // the open task, as last seen
};
const STATUSES = Object.keys(LABELS);

// ---- HTTP with the API key -------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function headers(extra = {}) {
  const key = sessionStorage.getItem(KEY);
  return key ? { ...extra, "X-Api-Key": key } : extra;
}

async function api(path, { method = "GET", body, headers: extra } = {}) {
  for (;;) {
    const init = { method, headers: headers(extra) };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    const response = await fetch(path, init);
    if (response.status === 401 && await askForKey()) continue;
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { /* not JSON */ }
      throw new ApiError(response.status, problem);
    }
    return response.status === 204 ? null : { body: await response.json(), response };
  }
}

let keyPrompt = null;
function askForKey() {
  if (keyPrompt) return keyPrompt;
  const dialog = $("key-dialog");
  keyPrompt = new Promise((resolve) => {
    $("key-input").value = "";
    dialog.addEventListener("close", () => {
      const ok = dialog.returnValue === "ok" && $("key-input").value.trim() !== "";
      if (ok) sessionStorage.setItem(KEY, $("key-input").value.trim());
      keyPrompt = null;
      resolve(ok);
    }, { once: true });
    dialog.showModal();
  });
  return keyPrompt;
}

// ---- Formatting ------------------------------------------------------------------------------------------

function bytes(n) {
  if (!n) return "0 B";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return `${(n / 1024 ** i).toFixed(i ? 1 : 0)} ${units[i]}`;
}

function duration(seconds) {
  if (seconds == null || !isFinite(seconds)) return "—";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
}

const time = (iso) => iso ? new Date(iso).toLocaleString() : "—";

// Today's times as the clock time only, older ones with their date: short enough for the list's column.
function shortTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleDateString();
}

const rateText = (task) => task.rate != null ? `${task.rate.toFixed(2)}/s` : "—";
const percent = (task) => Math.round((task.progress ?? 0) * 100);

function runtime(task) {
  if (!task.startedAt) return null;
  const end = task.finishedAt ? Date.parse(task.finishedAt) : Date.now();
  return Math.max(0, (end - Date.parse(task.startedAt)) / 1000);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) if (child != null) node.append(child);
  return node;
}

function statusBadge(status) {
  return el("span", { class: `status ${status}`, "data-status": status }, status, el("small", {}, `(${LABELS[status] ?? status})`));
}

function progressCell(task) {
  const pct = percent(task);
  return el("div", { class: "progress" },
    el("progress", { max: task.opTotal || 1, value: task.opTotal ? task.opFinished : 0,
      "aria-label": `Task ${task.pid} progress`, "data-finished": task.opFinished }),
    el("span", { class: "num" }, `${task.opFinished}/${task.opTotal} · ${pct}%`));
}

// ---- Actions ---------------------------------------------------------------------------------------------

// The list shows the signals and kill; the task page (`full`) adds freeze/thaw, which only a process launcher has.
function actionButtons(task, { full = false } = {}) {
  const pid = task.pid, buttons = [];
  const signal = (name) => act(() => api(`/api/tasks/${pid}/signals`, { method: "POST", body: { signal: name } }));
  const post = (route) => act(async () => { const { body } = await api(`/api/tasks/${pid}/${route}`, { method: "POST" }); upsertTask(body); });
  // A frozen task cannot obey a signal until it is thawed: only thaw (and stop, kill) are offered.
  if (task.status === "running") buttons.push(el("button", { type: "button", "data-action": "pause", onclick: () => signal("sleep") }, "Pause"));
  if (task.status === "sleeping" && !task.frozen) buttons.push(el("button", { type: "button", "data-action": "resume", onclick: () => signal("continue") }, "Resume"));
  if (full && task.launcher === "process" && (task.status === "running" || task.status === "sleeping"))
    buttons.push(task.frozen
      ? el("button", { type: "button", "data-action": "thaw", onclick: () => post("thaw") }, "Thaw")
      : el("button", { type: "button", "data-action": "freeze", onclick: () => post("freeze") }, "Freeze"));
  if (LIVE.has(task.status)) {
    buttons.push(el("button", { type: "button", "data-action": "stop", onclick: () => signal("stop") }, "Stop"));
    buttons.push(el("button", { type: "button", class: "danger", "data-action": "kill", onclick: () => {
      if (confirm(`Kill task ${pid} (${task.task})? Its runner is ended at once.`))
        act(() => api(`/api/tasks/${pid}/kill`, { method: "POST" }));
    } }, "Kill"));
  } else {
    buttons.push(el("button", { type: "button", class: "danger", "data-action": "delete", onclick: () => {
      if (confirm(`Delete task ${pid} with its log and config?`))
        act(async () => { await api(`/api/tasks/${pid}`, { method: "DELETE" }); removeTask(pid); if (state.current === pid) location.hash = "#/"; });
    } }, "Delete"));
  }
  return el("div", { class: "actions", role: "group", "aria-label": `Actions for task ${pid}` }, buttons);
}

// The buttons of a task stay the same elements while what they offer is the same: a task event re-renders the row and
// the task page several times a second, and a button replaced under the pointer loses its click.
function actionsFor(task, options, current) {
  const key = `${task.pid}|${task.status}|${!!task.frozen}|${task.launcher}`;
  if (current?.dataset.key === key) return current;
  const fresh = actionButtons(task, options);
  fresh.dataset.key = key;
  return fresh;
}

async function act(call) {
  try { await call(); } catch (e) { alert(e.message); }
}

// ---- The list --------------------------------------------------------------------------------------------

function filters() {
  return { status: $("filter-status").value, task: $("filter-task").value, limit: Number($("filter-limit").value) };
}

function matches(task) {
  const f = filters();
  return (!f.status || f.status.split(",").includes(task.status)) && (!f.task || task.task === f.task);
}

async function loadPage(after = state.pages.at(-1) ?? null) {
  const f = filters(), query = new URLSearchParams({ limit: f.limit });
  if (f.status) query.set("status", f.status);
  if (f.task) query.set("task", f.task);
  if (after != null) query.set("after", after);
  try {
    const { body } = await api(`/api/tasks?${query}`);
    state.tasks = new Map(body.items.map((t) => [t.pid, t]));
    state.order = body.items.map((t) => t.pid);
    state.next = body.next;
    renderList();
  } catch (e) {
    $("empty").hidden = false;
    $("empty").textContent = `Could not load the tasks: ${e.message}`;
  }
}

function row(task, old) {
  // data-label names the cell where the phone layout shows rows as cards (no header row there).
  const td = (label, attrs, ...children) => el("td", { "data-label": label, ...attrs }, ...children);
  return el("tr", { "data-pid": task.pid, "data-status": task.status },
    td("Pid", { class: "num pid" }, el("a", { href: `#/tasks/${task.pid}` }, String(task.pid))),
    td("Task", { class: "name" }, task.task),
    td("Description", { class: "desc" }, task.description ?? ""),
    td("Status", {}, statusBadge(task.status), task.frozen ? el("span", { class: "chip frozen" }, "frozen") : null,
      task.message ? el("div", { class: "help" }, task.message) : null),
    td("Progress", {}, progressCell(task)),
    td("Rate", { class: "num" }, rateText(task)),
    td("ETA", { class: "num" }, duration(task.etaSeconds)),
    td("Memory", { class: "num" }, bytes(task.memory), el("div", { class: "help" }, `peak ${bytes(task.memoryPeak)}`)),
    td("Started", { title: time(task.startedAt) }, shortTime(task.startedAt)),
    td("Runtime", { class: "num runtime" }, duration(runtime(task))),
    td("Actions", { class: "acts" }, actionsFor(task, {}, old?.querySelector(".acts > .actions"))));
}

function renderList() {
  const body = $("task-rows");
  body.replaceChildren(...state.order.map((pid) => row(state.tasks.get(pid))));
  $("empty").hidden = state.order.length > 0;
  $("empty").textContent = "No tasks.";
  $("page-prev").disabled = $("page-first").disabled = state.pages.length === 0;
  $("page-next").disabled = state.next == null;
  $("page-info").textContent = `page ${state.pages.length + 1}`;
}

function upsertTask(task) {
  countTask(task);
  if (state.tasks.has(task.pid)) {
    state.tasks.set(task.pid, task);
    const old = document.querySelector(`#task-rows tr[data-pid="${task.pid}"]`);
    if (old) old.replaceWith(row(task, old));
  } else if (state.pages.length === 0 && matches(task) && task.pid > (state.order[0] ?? 0)) {
    // A new task on the first page: it goes on top.
    state.tasks.set(task.pid, task);
    state.order.unshift(task.pid);
    if (state.order.length > filters().limit) state.tasks.delete(state.order.pop());
    renderList();
    document.querySelector(`#task-rows tr[data-pid="${task.pid}"]`)?.classList.add("flash");
  }
  if (state.current === task.pid) { renderTask(task); extendHistory(task); }
}

function removeTask(pid) {
  if (state.statusOf.delete(pid)) renderCounts();
  if (!state.tasks.delete(pid)) return;
  state.order = state.order.filter((p) => p !== pid);
  renderList();
}

// ---- The counts per status (and the nodes) -----------------------------------------------------------------

const COUNT_LIMIT = 500;

// Each status' tasks are read once (up to COUNT_LIMIT); from then on the event stream moves the counts.
async function loadCounts() {
  try {
    const pages = await Promise.all(STATUSES.map((s) => api(`/api/tasks?status=${s}&limit=${COUNT_LIMIT}`)));
    state.statusOf = new Map();
    state.overflow = new Set();
    pages.forEach(({ body }, i) => {
      for (const t of body.items) state.statusOf.set(t.pid, t.status);
      if (body.next != null) state.overflow.add(STATUSES[i]);
    });
    renderCounts();
  } catch (e) {
    $("counts").textContent = `Could not count the tasks: ${e.message}`;
  }
}

function countTask(task) {
  if (state.statusOf.get(task.pid) === task.status) return;
  state.statusOf.set(task.pid, task.status);
  renderCounts();
}

function renderCounts() {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const s of state.statusOf.values()) counts[s] = (counts[s] ?? 0) + 1;
  const chosen = $("filter-status").value;
  $("counts").replaceChildren(...STATUSES.map((s) => el("button", {
    type: "button", class: `count ${s}${chosen === s ? " chosen" : ""}`, "data-status": s, "data-count": counts[s],
    title: `Show only ${s} tasks`, "aria-pressed": String(chosen === s),
    onclick: () => { $("filter-status").value = chosen === s ? "" : s; restartPaging(); renderCounts(); },
  }, el("strong", {}, `${counts[s]}${state.overflow.has(s) ? "+" : ""}`), ` ${s}`)));
}

// The cluster's nodes, where the service has the route; a single service without it shows nothing.
async function loadNodes() {
  try {
    const { body } = await api("/api/nodes");
    if (!Array.isArray(body) || body.length === 0) return;
    $("nodes").replaceChildren(el("span", { class: "help" }, "Nodes"), ...body.map((n) => el("span", {
      class: `count node ${n.live ? "live" : "down"}`, "data-node": n.name, title: n.url ?? "",
    }, el("strong", {}, n.name), ` ${n.live ? "live" : "down"} · ${n.running ?? 0}/${n.slots ?? "?"} running`)));
    $("nodes").hidden = false;
  } catch { /* no nodes route: nothing to show */ }
}

// ---- The task page ---------------------------------------------------------------------------------------

function renderTask(task) {
  state.task = task;
  $("task-title").textContent = `Task ${task.pid}: ${task.task}`;
  $("task-status").replaceChildren(statusBadge(task.status));
  $("task-frozen").hidden = !task.frozen;
  const pct = percent(task);
  $("task-bar").setAttribute("aria-valuenow", String(pct));
  $("task-bar").dataset.finished = String(task.opFinished);
  $("task-bar-fill").style.width = `${pct}%`;
  $("task-bar-fill").className = `fill ${task.status}`;
  $("task-bar-text").textContent = `${task.opFinished} / ${task.opTotal} · ${pct}%`;
  // Each term with its value in a div (allowed in a dl), so the grid keeps the pairs together.
  const item = (label, value, { cls, title } = {}) => el("div", { class: cls, title }, el("dt", {}, label), el("dd", {}, value));
  $("task-stats").replaceChildren(
    item("Rate", rateText(task)), item("ETA", duration(task.etaSeconds)),
    item("Memory", bytes(task.memory)), item("Peak", bytes(task.memoryPeak)),
    item("Runtime", duration(runtime(task)), { cls: "runtime" }), item("Launcher", task.node ? `${task.launcher} on ${task.node}` : task.launcher),
    item("Started", shortTime(task.startedAt), { title: time(task.startedAt) }),
    item("Finished", shortTime(task.finishedAt), { title: time(task.finishedAt) }),
    item("Parent", task.parent != null ? el("a", { href: `#/tasks/${task.parent}` }, String(task.parent)) : "—"),
    item("Description", task.description ?? "—", { cls: "desc-item" }));
  $("task-message").hidden = !task.message;
  $("task-message").textContent = task.message ? `Message: ${task.message}` : "";
  const actions = $("task-actions"), current = actions.firstElementChild, next = actionsFor(task, { full: true }, current);
  if (next !== current) actions.replaceChildren(next);
}

// ---- The charts (history, extended from the event stream) -------------------------------------------------

const point = (at, p) => ({ t: at, status: p.status, frozen: !!p.frozen,
  progress: p.opTotal ? p.opFinished / p.opTotal : 0, memory: p.memory ?? 0 });

async function loadHistory(pid) {
  const { body } = await api(`/api/tasks/${pid}/history`);
  if (state.current !== pid) return;
  state.history = body.points.map((p) => point(Date.parse(p.at), p));
  drawCharts();
}

// A task event adds a point; within a second of the one before (and the same status), it replaces the newest live
// point instead, so the live series keeps about the history's spacing of one a second.
function extendHistory(task) {
  const points = state.history, next = point(Date.now(), task);
  const last = points.at(-1), before = points.at(-2);
  if (last?.live && before && next.t - before.t < 1000 && last.status === next.status && last.frozen === next.frozen)
    points[points.length - 1] = { ...next, live: true };
  else points.push({ ...next, live: true });
  if (points.length > 2000) points.splice(0, points.length - 2000);
  drawCharts();
}

let drawPending = false;
function drawCharts() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    const task = state.task, points = state.history;
    if (!task || $("task-view").hidden) return;
    const end = LIVE.has(task.status) ? Date.now() : (points.at(-1)?.t ?? Date.now());
    drawChart($("chart-progress"), points, { value: (p) => p.progress, max: 1, end, title: "Progress over time",
      format: (v) => `${Math.round(v * 100)}%` });
    const peak = Math.max(task.memoryPeak ?? 0, ...points.map((p) => p.memory));
    drawChart($("chart-memory"), points, { value: (p) => p.memory, max: niceMax(peak * 1.1, true), end, title: "Memory over time",
      format: bytes, peak });
    $("memory-peak-label").textContent = `peak ${bytes(peak)}`;
  });
}

async function openTask(pid) {
  state.current = pid;
  state.log = { pid, last: 0 };
  state.history = [];
  state.task = null;
  $("log").textContent = "";
  $("config-result").textContent = "";
  $("config-conflict").hidden = true;
  try {
    const { body } = await api(`/api/tasks/${pid}`);
    renderTask(body);
    await Promise.all([loadConfig(pid), readLog(pid), loadHistory(pid)]);
  } catch (e) {
    $("task-title").textContent = `Task ${pid}`;
    $("task-message").hidden = false;
    $("task-message").textContent = e.message;
  }
}

async function loadConfig(pid) {
  const { body } = await api(`/api/tasks/${pid}/config`);
  state.config = body;
  $("config-version").textContent = body.version;
  $("config-version-chip").classList.remove("stale");
  $("config-conflict").hidden = true;
  $("config-text").value = JSON.stringify(body.config, null, 2);
}

// The edit was made on an older version than the task's: say so beside the editor until it is reloaded.
function showConflict(text) {
  $("config-conflict-text").textContent = text;
  $("config-conflict").hidden = false;
  $("config-version-chip").classList.add("stale");
}

function appendLog(lines) {
  const pre = $("log");
  const fresh = lines.filter((l) => l.seq > state.log.last);
  if (!fresh.length) return;
  state.log.last = fresh.at(-1).seq;
  pre.append(fresh.map((l) => `${new Date(l.at).toLocaleTimeString()}  ${l.line}\n`).join(""));
  if ($("log-follow").checked) pre.scrollTop = pre.scrollHeight;
}

async function readLog(pid) {
  for (;;) {
    const { body } = await api(`/api/tasks/${pid}/log?after=${state.log.last}&limit=1000`);
    if (state.current !== pid) return;
    appendLog(body.items);
    if (body.next == null) return;
  }
}

// ---- Live events -----------------------------------------------------------------------------------------

function setConnection(text, cls) {
  const c = $("connection");
  c.textContent = text;
  c.className = `connection ${cls}`;
}

function onEvent(type, data) {
  if (type === "task") upsertTask(data);
  else if (type === "removed") removeTask(data.pid);
  else if (type === "log" && data.pid === state.current) {
    // A gap (lines this page has not read yet) is filled from the API; otherwise the lines are appended.
    if (data.items[0]?.seq > state.log.last + 1) readLog(data.pid); else appendLog(data.items);
  } else if (type === "config" && data.pid === state.current && data.version !== state.config?.version) {
    showConflict(`version ${data.version} was saved elsewhere; this editor holds version ${state.config?.version}.`);
  } else if (type === "snapshot") {
    // The stream could not resume exactly: read the page (and the open task) again.
    loadPage();
    loadCounts();
    if (state.current != null) openTask(state.current);
  }
}

async function follow() {
  for (;;) {
    try {
      const response = await fetch("/api/tasks/events", {
        headers: headers(state.lastEventId ? { "Last-Event-ID": state.lastEventId, Accept: "text/event-stream" } : { Accept: "text/event-stream" }),
      });
      if (response.status === 401) { setConnection("API key needed", "down"); if (!await askForKey()) await sleep(5000); continue; }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      setConnection("live", "live");
      await readEvents(response.body);
    } catch { /* dropped: reconnect below */ }
    setConnection("reconnecting…", "down");
    await sleep(2000);
  }
}

async function readEvents(stream) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "", type = null, data = [], id = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (data.length) {
          if (id) state.lastEventId = id;
          try { onEvent(type ?? "message", JSON.parse(data.join("\n"))); } catch (e) { console.error(e); }
        }
        type = null; data = [];
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") type = val; else if (field === "data") data.push(val); else if (field === "id") id = val;
      }
    }
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- Forms -----------------------------------------------------------------------------------------------

function parseConfig(textarea) {
  const text = textarea.value.trim() || "{}";
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("The config must be a JSON object, such as {\"total\": 10}.");
    textarea.setAttribute("aria-invalid", "false");
    return value;
  } catch (e) {
    textarea.setAttribute("aria-invalid", "true");
    throw new Error(e instanceof SyntaxError ? `The config is not valid JSON: ${e.message}` : e.message);
  }
}

function problemText(e) {
  const errors = e.problem?.errors ? Object.values(e.problem.errors).flat().join(" ") : "";
  return errors || e.message;
}

async function launch(event) {
  event.preventDefault();
  const out = $("launch-result");
  out.className = "";
  try {
    const form = event.target;
    const body = { task: form.task.value, config: parseConfig($("launch-config")) };
    if (form.launcher.value) body.launcher = form.launcher.value;
    if (form.description.value.trim()) body.description = form.description.value.trim();
    if (form.timeoutSeconds.value) body.timeoutSeconds = Number(form.timeoutSeconds.value);
    const { body: task } = await api("/api/tasks", { method: "POST", body });
    out.replaceChildren("Launched ", el("a", { href: `#/tasks/${task.pid}`, id: "launched-pid", "data-pid": task.pid }, `task ${task.pid}`), ".");
    upsertTask(task);
  } catch (e) {
    out.className = "error";
    out.textContent = problemText(e);
  }
}

async function saveConfig(event) {
  event.preventDefault();
  const out = $("config-result"), pid = state.current;
  out.className = "";
  try {
    const config = parseConfig($("config-text"));
    const { body } = await api(`/api/tasks/${pid}/config`, { method: "PUT", body: config,
      headers: { "If-Match": `"${state.config.version}"` } });
    state.config = body;
    $("config-version").textContent = body.version;
    $("config-conflict").hidden = true;
    $("config-version-chip").classList.remove("stale");
    out.textContent = `Saved as version ${body.version}.`;
  } catch (e) {
    if (e.status === 412) {
      showConflict(`someone saved a newer version than ${state.config?.version} first (If-Match failed); nothing was saved. Load it, then edit again.`);
    } else {
      out.className = "error";
      out.textContent = problemText(e);
    }
  }
}

async function loadTaskTypes() {
  try {
    const { body } = await api("/api/task-types");
    $("launch-task").replaceChildren(...body.map((t) => el("option", { value: t.name }, t.name)));
    $("filter-task").append(...body.map((t) => el("option", { value: t.name }, t.name)));
    const help = () => { $("launch-type-help").textContent = body.find((t) => t.name === $("launch-task").value)?.description ?? ""; };
    $("launch-task").addEventListener("change", help);
    help();
  } catch (e) {
    $("launch-type-help").textContent = `Could not read the task types: ${e.message}`;
  }
}

// ---- Routing and start -----------------------------------------------------------------------------------

function route() {
  const match = location.hash.match(/^#\/tasks\/(\d+)$/);
  $("list-view").hidden = !!match;
  $("task-view").hidden = !match;
  if (match) openTask(Number(match[1]));
  else { state.current = null; loadPage(); }
}

function restartPaging() { state.pages = []; loadPage(null); }

document.addEventListener("DOMContentLoaded", () => {
  $("launch-form").addEventListener("submit", launch);
  $("launch-config").addEventListener("input", () => { try { parseConfig($("launch-config")); } catch { /* shown on submit */ } });
  $("config-form").addEventListener("submit", saveConfig);
  $("config-reload").addEventListener("click", () => loadConfig(state.current).then(() => { $("config-result").textContent = ""; }));
  $("config-take").addEventListener("click", () => loadConfig(state.current).then(() => { $("config-result").textContent = ""; }));
  window.addEventListener("resize", drawCharts);
  $("filters").addEventListener("change", () => { restartPaging(); renderCounts(); });
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("page-first").addEventListener("click", restartPaging);
  $("page-next").addEventListener("click", () => { if (state.next != null) { state.pages.push(state.next); loadPage(); } });
  $("page-prev").addEventListener("click", () => { state.pages.pop(); loadPage(); });
  window.addEventListener("hashchange", route);
  // Runtimes of live tasks tick without a request.
  setInterval(() => {
    for (const pid of state.order) {
      const task = state.tasks.get(pid);
      if (task && LIVE.has(task.status) && task.startedAt)
        document.querySelector(`#task-rows tr[data-pid="${pid}"] .runtime`)?.replaceChildren(duration(runtime(task)));
    }
    const open = state.task;
    if (open && state.current === open.pid && LIVE.has(open.status)) {
      document.querySelector("#task-stats .runtime dd")?.replaceChildren(duration(runtime(open)));
      drawCharts(); // the time axis runs on to now
    }
  }, 1000);
  loadTaskTypes();
  loadCounts();
  loadNodes();
  route();
  follow();
});
