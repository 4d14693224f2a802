/**
 * npm run dashboard-picture -- --snapshot <file.json> --out <file.png>
 *
 * A picture of the generated Grafana dashboard with real data, drawn offline: the snapshot the
 * e2e tier writes (TCP_PLATFORM_DASHBOARD_SNAPSHOT=<file>: the deployed dashboard's JSON and each
 * target's range query against the e2e Prometheus) is laid out on the dashboard's own grid — rows,
 * time series as lines, stats as their last value coloured by the panel's thresholds, text
 * panels — as SVG, then turned into PNG by librsvg's rsvg-convert. It is not Grafana's rendering:
 * the panels' titles, queries' results, legends, units and thresholds, as this file draws them.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { parseArgs } from "util";

interface Series { metric: Record<string, string>; values: [number, number][] }
interface Snapshot {
    dashboard: { title: string; panels: Panel[] };
    series: { panel: string; expr: string; series: Series[] }[];
}
interface Panel {
    type: string;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    targets?: { expr: string; legendFormat: string }[];
    options?: { content?: string };
    fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { color: string; value: number | null }[] } } };
}

const WIDTH = 1600;
const COLUMN = WIDTH / 24;
const ROW = 34;
const COLORS = ["#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9"];
const FILLS: Record<string, string> = { green: "#56a64b", red: "#e02f44" };

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function formatValue(value: number, unit = "short"): string {
    const n = Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toFixed(2)).toString();
    const suffix: Record<string, string> = { s: " s", d: " d", reqps: " req/s", Bps: " B/s", cps: " /s", short: "" };
    return `${n}${suffix[unit] ?? ` ${unit}`}`;
}

/** `{{label}}` in a legend format, from the series' labels. */
const legendOf = (format: string, metric: Record<string, string>) => format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => metric[k] ?? "");

function text(x: number, y: number, content: string, size: number, attrs = ""): string {
    return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}" ${attrs}>${escape(content)}</text>`;
}

function timeseries(panel: Panel, box: { x: number; y: number; w: number; h: number }, results: Series[][]): string[] {
    const plot = { x: box.x + 48, y: box.y + 30, w: box.w - 60, h: box.h - 62 };
    const lines = results.flatMap((series, i) => series.map((s) => ({ s, legend: legendOf(panel.targets?.[i].legendFormat ?? "", s.metric) })));
    const points = lines.flatMap((l) => l.s.values);
    if (points.length === 0) {
        return [text(box.x + box.w / 2, box.y + box.h / 2, "No data", 14, 'text-anchor="middle" fill="#8e8e8e"')];
    }
    const [t0, t1] = [Math.min(...points.map((p) => p[0])), Math.max(...points.map((p) => p[0]))];
    const threshold = panel.fieldConfig?.defaults?.thresholds?.steps[1]?.value ?? undefined;
    const vmax = Math.max(1, ...points.map((p) => p[1]), threshold ?? 0) * 1.15;
    const vmin = Math.min(0, ...points.map((p) => p[1]));
    const px = (t: number) => plot.x + ((t - t0) / Math.max(t1 - t0, 1)) * plot.w;
    const py = (v: number) => plot.y + plot.h - ((v - vmin) / (vmax - vmin)) * plot.h;
    const out = [`<rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}" fill="#161719" stroke="#2c2c2f"/>`];
    for (const v of [vmin, (vmin + vmax) / 2, vmax]) {
        out.push(`<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${py(v)}" y2="${py(v)}" stroke="#2c2c2f"/>`, text(plot.x - 4, py(v) + 4, formatValue(v), 10, 'text-anchor="end" fill="#9fa7b3"'));
    }
    if (threshold !== undefined && threshold !== null) {
        out.push(`<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${py(threshold)}" y2="${py(threshold)}" stroke="#e02f44" stroke-dasharray="6 4"/>`);
    }
    out.push(text(plot.x, plot.y + plot.h + 13, new Date(t0 * 1000).toISOString().slice(11, 19), 10, 'fill="#9fa7b3"'),
        text(plot.x + plot.w, plot.y + plot.h + 13, `${new Date(t1 * 1000).toISOString().slice(11, 19)} UTC`, 10, 'text-anchor="end" fill="#9fa7b3"'));
    let legendX = box.x + 10;
    lines.forEach(({ s, legend }, i) => {
        const color = COLORS[i % COLORS.length];
        out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${s.values.map(([t, v]) => `${px(t).toFixed(1)},${py(v).toFixed(1)}`).join(" ")}"/>`);
        const label = `${legend || "value"}: ${formatValue(s.values.at(-1)?.[1] ?? 0, panel.fieldConfig?.defaults?.unit)}`;
        out.push(`<rect x="${legendX}" y="${box.y + box.h - 14}" width="10" height="4" fill="${color}"/>`, text(legendX + 14, box.y + box.h - 9, label, 10, 'fill="#d8d9da"'));
        legendX += 24 + label.length * 5.6;
    });
    return out;
}

function stat(panel: Panel, box: { x: number; y: number; w: number; h: number }, results: Series[][]): string[] {
    const last = results.flat()[0]?.values.at(-1)?.[1];
    if (last === undefined) {
        return [text(box.x + box.w / 2, box.y + box.h / 2 + 8, "No data", 14, 'text-anchor="middle" fill="#8e8e8e"')];
    }
    const steps = panel.fieldConfig?.defaults?.thresholds?.steps ?? [];
    const step = [...steps].reverse().find((s) => s.value === null || last >= s.value);
    const fill = step ? FILLS[step.color] ?? step.color : "#1f60c4";
    return [`<rect x="${box.x + 8}" y="${box.y + 30}" width="${box.w - 16}" height="${box.h - 40}" rx="3" fill="${fill}"/>`,
        text(box.x + box.w / 2, box.y + box.h / 2 + 20, formatValue(last, panel.fieldConfig?.defaults?.unit), 34, 'text-anchor="middle" fill="#ffffff" font-weight="bold"')];
}

function wrapped(content: string, box: { x: number; y: number; w: number }): string[] {
    const perLine = Math.floor((box.w - 20) / 6.4);
    const lines: string[] = [];
    let line = "";
    for (const word of content.split(/\s+/)) {
        if ((line + word).length > perLine) {
            lines.push(line.trim());
            line = "";
        }
        line += `${word} `;
    }
    lines.push(line.trim());
    return lines.map((l, i) => text(box.x + 10, box.y + 44 + i * 16, l, 12, 'fill="#d8d9da"'));
}

/** The dashboard as an SVG document, its panels where its grid puts them. */
export function dashboardSvg(snapshot: Snapshot): string {
    const { panels } = snapshot.dashboard;
    const height = Math.max(...panels.map((p) => p.gridPos.y + p.gridPos.h)) * ROW + 60;
    const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH + 20}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
        `<rect width="100%" height="100%" fill="#111217"/>`, text(10, 30, snapshot.dashboard.title, 20, 'fill="#ffffff"')];
    let target = 0;
    for (const panel of panels) {
        const box = { x: 10 + panel.gridPos.x * COLUMN, y: 50 + panel.gridPos.y * ROW, w: panel.gridPos.w * COLUMN - 6, h: panel.gridPos.h * ROW - 6 };
        if (panel.type === "row") {
            out.push(text(box.x, box.y + 22, panel.title, 15, 'fill="#ffffff" font-weight="bold"'));
            continue;
        }
        const results = (panel.targets ?? []).map(() => snapshot.series[target++]?.series ?? []);
        out.push(`<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="2" fill="#181b1f" stroke="#2c3235"/>`,
            text(box.x + 8, box.y + 18, panel.title, 12, 'fill="#d8d9da" font-weight="bold"'));
        out.push(...(panel.type === "text" ? wrapped(panel.options?.content ?? "", box) : panel.type === "stat" ? stat(panel, box, results) : timeseries(panel, box, results)));
    }
    return [...out, "</svg>", ""].join("\n");
}

function main(): void {
    const { values } = parseArgs({ options: { snapshot: { type: "string" }, out: { type: "string" } } });
    if (!values.snapshot || !values.out) {
        throw new Error("usage: npm run dashboard-picture -- --snapshot <file.json> --out <file.png>");
    }
    const svg = values.out.replace(/\.png$/, ".svg");
    fs.writeFileSync(svg, dashboardSvg(JSON.parse(fs.readFileSync(values.snapshot, "utf8")) as Snapshot));
    execFileSync("rsvg-convert", ["-o", values.out, svg], { stdio: ["ignore", "ignore", "inherit"], timeout: 60_000 });
    console.log(`wrote ${svg} and ${values.out}`);
}

if (require.main === module) {
    main();
}
