/**
 * Every Traefik rule the program renders, for Traefik's own muxers to check (tests/rules,
 * scripts/go/rulecheck): the routes of every committed stack on both chart lines (26.0.0:
 * Traefik v2 syntax; 41.3.0: v3), and rules of fast-check generated values the vocabulary
 * accepts. Each comes with probes: the clients it was built for (want: true) and others (false).
 */
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { rawConfigFromStackFile } from "../lib/config/load";
import { clientIpMatcher, httpRule, isWildcard, tcpRule } from "../lib/plan/matchers";
import { chartProfile } from "../lib/traefik/profile";
import { alpnProtocol, AlpnProtocol, Checked, hostName, routePath, sniHost, SniHost, sourceRange, SourceRange } from "../lib/vocabulary";
import { evaluate } from "./evaluate";
import { manifestsOf } from "./manifests";

export interface Probe { sni?: string; alpn?: string[]; ip?: string; host?: string; path?: string; want: boolean }
export interface RuleCase { id: string; kind: "tcp" | "http"; syntax: "v2" | "v3"; rule: string; probes: Probe[] }

export const CHART_LINES = { "26.0.0": "v2", "41.3.0": "v3" } as const;
// Generated values also on chart 30 (Traefik v3 before 3.7): its wildcards are HostSNIRegexp regexps.
const GENERATED_LINES = { ...CHART_LINES, "30.0.0": "v3" } as const;

/** Who a TCP rule for `host` and `alpn` admits, and who it must not. */
export function tcpProbes(host: string | undefined, alpn: readonly string[] = []): Probe[] {
    const protocols = alpn.length > 0 ? { alpn: [alpn[0]] } : {};
    if (host === undefined) {
        return [{ sni: "", want: true }, { sni: "any.example.com", ...protocols, want: true }];
    }
    const name = host.startsWith("*.") ? `one${host.slice(1)}` : host;
    return [
        ...(alpn.length > 0 ? alpn : [undefined]).map((p) => ({ sni: name, ...(p ? { alpn: [p] } : {}), want: true })),
        { sni: "attacker.example.net", ...protocols, want: false },
        { sni: `x.${name}`, ...protocols, want: false },
        { sni: "", ...protocols, want: false },
        ...(host.startsWith("*.") ? [{ sni: host.slice(2), ...protocols, want: false }] : []),
        ...(alpn.length > 0 ? [{ sni: name, alpn: ["not-a-protocol-here"], want: false }] : []),
    ];
}

export function httpProbes(host: string | undefined, prefix: string): Probe[] {
    const path = prefix.endsWith("/") ? `${prefix}x` : `${prefix}/x`;
    return host === undefined
        ? [{ host: "any.example.com", path, want: true }]
        : [{ host, path, want: true }, { host: "attacker.example.net", path, want: false }, { host: `x.${host}`, path, want: false }];
}

/** The route rules the program registers for each committed stack, on each chart line. */
async function stackCases(projectDir: string): Promise<RuleCase[]> {
    const cases: RuleCase[] = [];
    const stacks = fs.readdirSync(projectDir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort();
    for (const stack of stacks) {
        for (const [version, syntax] of Object.entries(CHART_LINES)) {
            const raw = rawConfigFromStackFile(path.join(projectDir, `Pulumi.${stack}.yaml`), projectDir);
            const traefik = (raw.values.traefik ?? {}) as Record<string, unknown>;
            raw.values.traefik = { ...traefik, chart: { version } };
            const { resources, platform } = await evaluate(raw, stack);
            const rules = new Map(manifestsOf(resources).flatMap((m) => {
                const routes = (m.spec as { routes?: { match?: string }[] } | undefined)?.routes ?? [];
                return m.kind === "IngressRouteTCP" || m.kind === "IngressRoute" ? routes.map((r) => [`${m.metadata.namespace}/${m.metadata.name}`, { kind: m.kind, rule: r.match ?? "" }] as const) : [];
            }));
            for (const app of platform.plan.apps) {
                const rendered = rules.get(`${app.namespace}/${app.names.route}`);
                if (!rendered || app.kind === "udp") {
                    continue;
                }
                const probes = app.kind === "http" ? httpProbes(app.host, app.path) : tcpProbes(app.host, app.alpn);
                cases.push({ id: `${stack} ${version} ${app.id}`, kind: app.kind, syntax, rule: rendered.rule, probes });
            }
        }
    }
    return cases;
}

const accepted = <T>(check: (text: string) => Checked<T>) => (text: string): T[] => {
    const checked = check(text);
    return checked.ok ? [checked.value] : [];
};

/** An address inside `range` and, where one is sure to be outside, one outside it. */
function rangeProbes(range: SourceRange): Probe[] {
    const [address, bits] = range.split("/");
    const inside: Probe = { ip: address, want: true };
    if (bits === "0" || address.includes(":")) {
        return [inside];
    }
    // Flip the first bit: outside every IPv4 prefix of at least one bit.
    const octets = address.split(".").map(Number);
    return [inside, { ip: [(octets[0] ^ 0x80), ...octets.slice(1)].join("."), want: false }];
}

/** Rules of generated values (fixed seed): hosts, wildcards, ALPN ids, ranges, HTTP hosts and paths. */
export function generatedCases(count = 200, seed = 21): RuleCase[] {
    const hosts = fc.sample(fc.oneof(fc.domain(), fc.domain().map((d) => `*.${d}`)), { numRuns: count, seed }).flatMap(accepted(sniHost));
    const alpn = fc.sample(fc.array(fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }), { numRuns: count, seed })
        .map((ids) => ids.flatMap(accepted(alpnProtocol))).filter((ids) => ids.length > 0 && new Set(ids).size === ids.length);
    const ranges = fc.sample(fc.oneof(fc.ipV4(), fc.ipV6(), fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, b]) => `${ip}/${b}`)), { numRuns: count, seed }).flatMap(accepted(sourceRange));
    const paths = fc.sample(fc.webPath(), { numRuns: count, seed }).map((p) => `/${p.replace(/^\//, "")}`).flatMap(accepted(routePath));
    const cases: RuleCase[] = [];
    for (const [version, syntax] of Object.entries(GENERATED_LINES)) {
        const profile = chartProfile(version);
        hosts.forEach((host: SniHost, i) => {
            const ids: AlpnProtocol[] = alpn[i % alpn.length] ?? [];
            cases.push({ id: `generated ${version} host ${i}`, kind: "tcp", syntax, rule: tcpRule(host, ids, profile), probes: tcpProbes(host, ids) });
        });
        ranges.forEach((range, i) => cases.push({ id: `generated ${version} range ${i}`, kind: "tcp", syntax, rule: clientIpMatcher([range]), probes: rangeProbes(range) }));
        hosts.filter((h) => !isWildcard(h)).flatMap(accepted(hostName)).forEach((host, i) => {
            const prefix = paths[i % paths.length];
            cases.push({ id: `generated ${version} http ${i}`, kind: "http", syntax, rule: httpRule(host, prefix), probes: httpProbes(host, prefix) });
        });
    }
    return cases;
}

export async function ruleCases(projectDir: string): Promise<RuleCase[]> {
    return [...await stackCases(projectDir), ...generatedCases()];
}
