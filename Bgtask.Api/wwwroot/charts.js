// The task page's two charts, drawn by hand in SVG (no library, nothing to install): a series over time with the
// spans where the task was sleeping or frozen shaded, and an optional dashed line (the memory peak).
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";

function svgEl(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}

// The runs of consecutive points that share a pause kind ("frozen" before "sleeping"), as [from, to] in ms.
function pauseSpans(points, end) {
  const spans = [];
  points.forEach((p, i) => {
    const kind = p.frozen ? "frozen" : p.status === "sleeping" ? "sleeping" : null;
    if (!kind) return;
    const to = points[i + 1]?.t ?? end;
    const last = spans.at(-1);
    if (last && last.kind === kind && last.to === p.t) last.to = to;
    else spans.push({ kind, from: p.t, to });
  });
  return spans;
}

/**
 * Draws `points` ({ t: ms, status, frozen, ...values }) into `svg`, sized to its box so text keeps its shape.
 * options: value(p) → number, max → the y axis' top, format(n) → a label, peak → a number for the dashed line
 * (or null), end → the right edge in ms (now, while the task is live), title → the chart's accessible name.
 */
function drawChart(svg, points, { value, max, format, peak = null, end, title }) {
  const width = Math.max(200, svg.clientWidth || 600), height = Math.max(100, svg.clientHeight || 170);
  const left = 64, right = 10, top = 10, bottom = 22;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.dataset.points = String(points.length);
  const nodes = [];
  const start = points[0]?.t ?? end, stop = Math.max(end, start + 1000);
  const x = (t) => left + ((t - start) / (stop - start)) * (width - left - right);
  const y = (v) => top + (1 - Math.min(1, Math.max(0, v / max))) * (height - top - bottom);

  for (const s of pauseSpans(points, stop)) {
    const rect = svgEl("rect", { class: `span ${s.kind}`, "data-kind": s.kind, x: x(s.from), y: top,
      width: Math.max(1, x(s.to) - x(s.from)), height: height - top - bottom });
    rect.append(svgEl("title", {}, `${s.kind} for ${Math.round((s.to - s.from) / 1000)} s`));
    nodes.push(rect);
  }
  for (const fraction of [0, 0.5, 1]) {
    const v = max * fraction;
    nodes.push(svgEl("line", { class: "grid", x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    nodes.push(svgEl("text", { class: "axis", x: left - 6, y: y(v) + 4, "text-anchor": "end" }, format(v)));
  }
  if (points.length) {
    const clock = (t) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    nodes.push(svgEl("text", { class: "axis", x: left, y: height - 6 }, clock(start)));
    nodes.push(svgEl("text", { class: "axis", x: width - right, y: height - 6, "text-anchor": "end" }, clock(stop)));
    // The last value holds until the right edge (now, for a live task).
    const coords = points.map((p) => `${x(p.t).toFixed(1)},${y(value(p)).toFixed(1)}`);
    coords.push(`${x(stop).toFixed(1)},${y(value(points.at(-1))).toFixed(1)}`);
    const bottomY = y(0).toFixed(1);
    nodes.push(svgEl("polygon", { class: "area", points: `${x(start).toFixed(1)},${bottomY} ${coords.join(" ")} ${x(stop).toFixed(1)},${bottomY}` }));
    nodes.push(svgEl("polyline", { class: "series", points: coords.join(" ") }));
  } else {
    nodes.push(svgEl("text", { class: "axis", x: width / 2, y: height / 2, "text-anchor": "middle" }, "no history yet"));
  }
  if (peak != null && peak > 0) {
    nodes.push(svgEl("line", { class: "peak", x1: left, x2: width - right, y1: y(peak), y2: y(peak) }));
    nodes.push(svgEl("text", { class: "axis peak-label", x: width - right - 4, y: y(peak) - 4, "text-anchor": "end" }, `peak ${format(peak)}`));
  }
  // Screen readers get the newest value rather than the drawing.
  const now = points.length ? `, now ${format(value(points.at(-1)))}` : "";
  svg.setAttribute("aria-label", `${title}${now}${peak ? `, peak ${format(peak)}` : ""}`);
  svg.replaceChildren(...nodes);
}

// A y axis' top just above `n`: 1, 2 or 5 times a power of ten; for bytes, of the binary unit (KiB, MiB...) below it.
function niceMax(n, bytes = false) {
  if (!(n > 0)) return 1;
  const unit = bytes ? 1024 ** Math.floor(Math.log(n) / Math.log(1024)) : 1;
  const v = n / unit, power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 5, 10]) if (v <= step * power * 1.0001) return step * power * unit;
  return 10 * power * unit;
}
