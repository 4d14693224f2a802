/**
 * npm run crd-types [-- --check]
 *
 * Types for Traefik's custom resources, generated from the CRD files both chart lines ship
 * (`crds/traefik.io_<plural>.yaml` of traefik-26.0.0 and traefik-41.3.0 in ../shared/charts):
 * one spec interface per kind with the fields of both lines (marked where only one has a field),
 * and its apiVersion and kind, of which components/k8s/customResources.ts makes the resource
 * class (lib/ stays free of resources). crd2pulumi would
 * do this, but the Go module proxy refuses its module. With --check, exits 1 when the committed
 * files in lib/crds differ from what the charts' CRDs give (CI runs it).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import * as YAML from "yaml";
import { localChartDir } from "./charts";

/** The chart lines the program supports, and the Traefik each ships. */
export const CHART_LINES = [
    { chart: "26.0.0", traefik: "v2.10" },
    { chart: "41.3.0", traefik: "v3.7" },
] as const;

/** The kinds the program creates, by the plural their CRD file is named after. */
export const GENERATED_KINDS = [
    { kind: "IngressRouteTCP", plural: "ingressroutetcps", file: "ingressRouteTcp" },
    { kind: "IngressRouteUDP", plural: "ingressrouteudps", file: "ingressRouteUdp" },
    { kind: "MiddlewareTCP", plural: "middlewaretcps", file: "middlewareTcp" },
    { kind: "ServersTransportTCP", plural: "serverstransporttcps", file: "serversTransportTcp" },
    { kind: "TLSOption", plural: "tlsoptions", file: "tlsOption" },
] as const;

const GROUP = "traefik.io";
const VERSION = "v1alpha1";

interface JsonSchema {
    type?: string;
    description?: string;
    properties?: Record<string, JsonSchema>;
    required?: string[];
    items?: JsonSchema;
    enum?: unknown[];
    anyOf?: JsonSchema[];
    additionalProperties?: JsonSchema | boolean;
    "x-kubernetes-int-or-string"?: boolean;
}

/** The first sentence of a description, on one line, as a doc comment's text. */
function summary(description: string | undefined): string | undefined {
    if (!description) {
        return undefined;
    }
    const line = description.replace(/\s+/g, " ").trim();
    const sentence = /^(.*?\.)(\s|$)/.exec(line)?.[1] ?? line;
    const text = sentence.length > 110 ? `${sentence.slice(0, 107)}...` : sentence;
    return text.replace(/\*\//g, "*\\/");
}

/** One schema node as the chart lines have it: each line's schema, absent where the line lacks it. */
type Lines = (JsonSchema | undefined)[];

/** A TypeScript type for the node, nested objects inline (merged over the lines), indented by `depth`. */
function typeOf(lines: Lines, depth: number, labels: string[]): string {
    const present = lines.filter((s): s is JsonSchema => s !== undefined);
    if (present.some((s) => s.type === "object" && s.properties)) {
        return objectType(lines.map((s) => (s?.properties ? s : undefined)), depth, labels);
    }
    if (present.some((s) => s.type === "array")) {
        const item = typeOf(lines.map((s) => s?.items), depth, labels);
        return /[|]/.test(item) && !item.startsWith("{") ? `(${item})[]` : `${item}[]`;
    }
    const types = [...new Set(present.map((s) => scalarType(s, depth, labels)))];
    return types.join(" | ");
}

function scalarType(schema: JsonSchema, depth: number, labels: string[]): string {
    if (schema["x-kubernetes-int-or-string"] || schema.anyOf) {
        return "number | string";
    }
    if (schema.enum) {
        return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
    }
    switch (schema.type) {
        case "string":
            return "string";
        case "integer":
        case "number":
            return "number";
        case "boolean":
            return "boolean";
        case "object":
            return schema.additionalProperties && typeof schema.additionalProperties === "object"
                ? `Record<string, ${typeOf([schema.additionalProperties], depth, labels)}>`
                : "Record<string, unknown>";
        default:
            return "unknown";
    }
}

/** What a field that only some lines have is marked with: the chart lines, unless told otherwise. */
const chartLabels = CHART_LINES.map((l) => `chart ${l.chart}`);

/** The fields of every line, each marked with the lines that have it when not all do; required where every line requires it. */
function objectType(lines: Lines, depth: number, labels: string[] = chartLabels): string {
    const pad = "    ".repeat(depth + 1);
    const names = [...new Set(lines.flatMap((s) => Object.keys(s?.properties ?? {})))];
    const fields = names.flatMap((name) => {
        const property = lines.map((s) => s?.properties?.[name]);
        const charts = labels.filter((_, i) => property[i] !== undefined);
        const only = charts.length < labels.length ? ` (${charts.join(", ")} only)` : "";
        const doc = summary(property.find((p) => p?.description)?.description);
        const required = lines.every((s) => s?.required?.includes(name));
        const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
        return [...(doc || only ? [`${pad}/** ${doc ?? ""}${only} */`.replace("/**  (", "/** (")] : []), `${pad}${key}${required ? "" : "?"}: ${typeOf(property, depth + 1, labels)};`];
    });
    return `{\n${fields.join("\n")}\n${"    ".repeat(depth)}}`;
}

/** The spec schema of `plural` in the chart line's CRD file. */
function specSchema(chartDir: string, plural: string): JsonSchema {
    const file = path.join(chartDir, "crds", `${GROUP}_${plural}.yaml`);
    const crd = YAML.parse(fs.readFileSync(file, "utf8")) as { spec: { versions: { name: string; schema: { openAPIV3Schema: JsonSchema } }[] } };
    const version = crd.spec.versions.find((v) => v.name === VERSION);
    const spec = version?.schema.openAPIV3Schema.properties?.spec;
    if (!spec) {
        throw new Error(`${file}: no ${VERSION} spec schema`);
    }
    return spec;
}

/** The generated file of one kind: its spec's interface, and its apiVersion and kind typed with it. */
function kindFile(k: { source: string; doc: string[]; kind: string; file: string; apiVersion: string; spec: string }): string {
    const doc = k.doc.length === 1 ? [`/** ${k.doc[0]} */`] : ["/**", ...k.doc.map((line) => ` * ${line}`), " */"];
    return [
        `// Generated by tools/crdTypes.ts from ${k.source}.`,
        "// Do not edit: run `npm run crd-types`.",
        'import type { CrdKind } from "./kind";',
        "",
        ...doc,
        `export interface ${k.kind}Spec ${k.spec}`,
        "",
        `/** ${k.kind}'s apiVersion and kind, and its spec's type: components/k8s/customResources.ts creates objects of it. */`,
        `export const ${k.file}Kind: CrdKind<${k.kind}Spec> = { apiVersion: "${k.apiVersion}", kind: "${k.kind}" };`,
        "",
    ].join("\n");
}

/** The generated files, by path relative to the project, from the unpacked charts of `chartsDir`. */
export function generateCrdTypes(chartsDir: string): Map<string, string> {
    const files = new Map<string, string>();
    for (const { kind, plural, file } of GENERATED_KINDS) {
        const lines = CHART_LINES.map(({ chart }) => specSchema(localChartDir(chartsDir, chart), plural));
        const doc = summary(lines[0].description) ?? `${kind}'s spec.`;
        files.set(path.join("lib", "crds", `${file}.ts`), kindFile({
            source: `the ${GROUP}_${plural}.yaml CRD of charts ${CHART_LINES.map((l) => l.chart).join(" and ")}`,
            doc: [
                doc,
                `The fields of both chart lines (${CHART_LINES.map((l) => `${l.chart}: Traefik ${l.traefik}`).join("; ")}); a field one line lacks says`,
                "which has it. The plan writes what the stack's line takes.",
            ],
            kind, file, apiVersion: `${GROUP}/${VERSION}`, spec: objectType(lines, 0),
        }));
    }
    return files;
}

/**
 * The Gateway API release the program installs for gateway routing: the one Traefik v3.7.11
 * (chart 41.3.0) is built against. Its experimental channel, because Traefik 3.7 lists TCPRoutes
 * through v1alpha2, which v1.6.1's standard CRDs no longer serve (`served: false`).
 */
export const GATEWAY_API = { module: "sigs.k8s.io/gateway-api", version: "v1.6.1", channel: "experimental" } as const;

/**
 * The Gateway API CRDs the program installs: the kinds Traefik 3.7's Gateway provider watches
 * (its informers wait for every one of them), with the program's own kinds among them.
 */
export const GATEWAY_API_CRDS = ["backendtlspolicies", "gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants", "tcproutes", "tlsroutes"] as const;

/** The Gateway API kinds the program creates, typed from their CRDs. */
export const GATEWAY_KINDS = [
    { kind: "Gateway", plural: "gateways", file: "gateway" },
    { kind: "TCPRoute", plural: "tcproutes", file: "tcpRoute" },
    { kind: "TLSRoute", plural: "tlsroutes", file: "tlsRoute" },
] as const;

/** The version the program writes its Gateway API objects in (the CRDs' storage version). */
export const GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";

/** The generated bundle of the Gateway API CRDs, relative to the project. */
export const GATEWAY_API_CRD_FILE = path.join("lib", "crds", "gatewayApiCrds.yaml");

/** A Go module's directory in the module cache (downloaded through the module proxy when absent). */
export function goModuleDir(module: string, version: string): string {
    const out = execFileSync("go", ["mod", "download", "-json", `${module}@${version}`], { cwd: os.tmpdir(), encoding: "utf8", env: { ...process.env, GOFLAGS: "-mod=mod" } });
    return (JSON.parse(out) as { Dir: string }).Dir;
}

/** The Gateway API module's directory. */
export function gatewayApiModuleDir(): string {
    return goModuleDir(GATEWAY_API.module, GATEWAY_API.version);
}

/** The Gateway API files: the CRD bundle, verbatim from the module, and the typed kinds. */
export function generateGatewayApiFiles(moduleDir: string): Map<string, string> {
    const files = new Map<string, string>();
    const crdDir = path.join(moduleDir, "config", "crd", GATEWAY_API.channel);
    const source = `${GATEWAY_API.module}@${GATEWAY_API.version} config/crd/${GATEWAY_API.channel}`;
    const bundle = GATEWAY_API_CRDS.map((plural) => fs.readFileSync(path.join(crdDir, `gateway.networking.k8s.io_${plural}.yaml`), "utf8").replace(/^---\n/, ""));
    files.set(GATEWAY_API_CRD_FILE, [`# Generated by tools/crdTypes.ts from ${source}, verbatim.`, "# Do not edit: run `npm run crd-types`.", "---", bundle.join("---\n")].join("\n"));
    const [group, version] = GATEWAY_API_VERSION.split("/");
    for (const { kind, plural, file } of GATEWAY_KINDS) {
        const crd = YAML.parse(fs.readFileSync(path.join(crdDir, `${group}_${plural}.yaml`), "utf8")) as { spec: { versions: { name: string; schema: { openAPIV3Schema: JsonSchema } }[] } };
        const spec = crd.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema.properties?.spec;
        if (!spec) {
            throw new Error(`${plural}: no ${version} spec schema in ${source}`);
        }
        files.set(path.join("lib", "crds", `${file}.ts`), kindFile({
            source: `the ${group}_${plural}.yaml CRD of ${source}`, doc: [summary(spec.description) ?? `${kind}'s spec.`],
            kind, file, apiVersion: GATEWAY_API_VERSION, spec: objectType([spec], 0, [source]),
        }));
    }
    return files;
}

function main(): void {
    const { values } = parseArgs({ options: { check: { type: "boolean", default: false } } });
    const projectDir = path.resolve(__dirname, "..");
    const stale: string[] = [];
    const generated = [...generateCrdTypes(path.resolve(projectDir, "../shared/charts")), ...generateGatewayApiFiles(gatewayApiModuleDir())];
    for (const [file, text] of generated) {
        const target = path.join(projectDir, file);
        const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
        if (current === text) {
            continue;
        }
        stale.push(file);
        if (!values.check) {
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, text);
        }
    }
    if (values.check && stale.length > 0) {
        console.error(`generated CRD types are not current: ${stale.join(", ")}. Run: npm run crd-types`);
        process.exit(1);
    }
    console.log(stale.length > 0 ? `wrote ${stale.join(", ")}` : "generated CRD types are current");
}

if (require.main === module) {
    main();
}
