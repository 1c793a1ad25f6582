// Grouped bar charts in SVG: a title and description for assistive technology (the data table beside
// each chart is the full alternative), values written on the bars, and "late" hatched so the series
// differ by more than colour.
const NS = "http://www.w3.org/2000/svg";
let sequence = 0;

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value != null) el.setAttribute(name, String(value));
  if (text != null) el.textContent = text;
  return el;
}

/** Drawn at its natural size, shrunk to fit a narrow screen but never below a readable width (the
 *  figure scrolls sideways instead). */
function size(root, width, height) {
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  root.setAttribute("width", width);
  root.setAttribute("height", height);
  root.style.minWidth = `${Math.min(width, 448)}px`;
}

function niceMax(value) {
  if (value <= 5) return 5;
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
}

/**
 * categories: [label]; series: [{ key, label, className, values: [n] }].
 * Vertical groups (by month) or horizontal bars (by agency, long names) when `horizontal`.
 */
export function barChart({ title, description, categories, series, horizontal = false }) {
  const id = `chart-${++sequence}`;
  const max = niceMax(Math.max(1, ...series.flatMap((s) => s.values)));
  const root = svg("svg", { role: "img", "aria-labelledby": `${id}-title ${id}-desc`, xmlns: NS });
  root.append(svg("title", { id: `${id}-title` }, title), svg("desc", { id: `${id}-desc` }, description));
  const defs = svg("defs");
  const hatch = svg("pattern", { id: `${id}-hatch`, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  hatch.append(svg("rect", { width: 6, height: 6, fill: "#a3111f" }), svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#ffffff", "stroke-width": 2 }));
  defs.append(hatch);
  root.append(defs);
  const fillOf = (s) => (s.className === "bar-late" ? `url(#${id}-hatch)` : null);

  if (!horizontal) {
    const groupWidth = Math.max(60, series.length * 22 + 18);
    const left = 44;
    const top = 16;
    const plotHeight = 220;
    const width = left + categories.length * groupWidth + 10;
    const height = top + plotHeight + 40;
    size(root, width, height);
    for (let n = 0; n <= 4; n += 1) {
      const value = (max / 4) * n;
      const y = top + plotHeight - (value / max) * plotHeight;
      root.append(svg("line", { class: "gridline", x1: left, x2: width - 10, y1: y, y2: y }), svg("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, Math.round(value)));
    }
    categories.forEach((label, c) => {
      const x0 = left + c * groupWidth + 9;
      series.forEach((s, i) => {
        const value = s.values[c] || 0;
        const barHeight = (value / max) * plotHeight;
        const x = x0 + i * 22;
        const y = top + plotHeight - barHeight;
        const bar = svg("rect", { class: s.className, x, y, width: 18, height: Math.max(barHeight, 0.5), fill: fillOf(s) });
        bar.append(svg("title", {}, `${label}, ${s.label}: ${value}`));
        root.append(bar, svg("text", { x: x + 9, y: y - 3, "text-anchor": "middle" }, value));
      });
      root.append(svg("text", { x: x0 + (series.length * 22) / 2 - 2, y: top + plotHeight + 18, "text-anchor": "middle" }, label));
    });
    root.append(svg("line", { class: "axis", x1: left, x2: width - 10, y1: top + plotHeight, y2: top + plotHeight }));
    return root;
  }

  const labelWidth = 230;
  const barArea = 320;
  const rowHeight = series.length * 16 + 14;
  const width = labelWidth + barArea + 50;
  const height = categories.length * rowHeight + 10;
  size(root, width, height);
  categories.forEach((label, c) => {
    const y0 = 6 + c * rowHeight;
    const short = label.length > 34 ? `${label.slice(0, 33)}…` : label;
    root.append(svg("text", { x: labelWidth - 8, y: y0 + rowHeight / 2, "text-anchor": "end" }, short));
    series.forEach((s, i) => {
      const value = s.values[c] || 0;
      const barWidth = (value / max) * barArea;
      const y = y0 + i * 16;
      const bar = svg("rect", { class: s.className, x: labelWidth, y, width: Math.max(barWidth, 0.5), height: 13, fill: fillOf(s) });
      bar.append(svg("title", {}, `${label}, ${s.label}: ${value}`));
      root.append(bar, svg("text", { x: labelWidth + barWidth + 4, y: y + 11 }, value));
    });
  });
  root.append(svg("line", { class: "axis", x1: labelWidth, x2: labelWidth, y1: 0, y2: height }));
  return root;
}

export function legend(series) {
  const list = document.createElement("ul");
  list.className = "legend";
  for (const s of series) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = s.className.replace("bar-", "swatch-");
    item.append(swatch, s.label);
    list.append(item);
  }
  return list;
}
