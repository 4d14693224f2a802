/**
 * Generated Kustomize + Argo CD trees in the seed's layout, from a seed: several apps (TCP and UDP),
 * several environments, and every kind of change the seed's overlay makes — strategic-merge
 * patches with targets on the Deployment (replicas, resources) and on the route (its entryPoints
 * and the Ingress annotation, the target naming group and version), `labels`, `images` — and
 * what the issue names besides: `commonLabels`, `namePrefix`/`nameSuffix` (with the
 * configurations that teach Kustomize the route's reference to the Service), a JSON 6902 patch.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** A small seeded generator (mulberry32): the same seed, the same tree. */
export function random(seed: number): { int: (min: number, max: number) => number; pick: <T>(items: readonly T[]) => T; chance: (p: number) => boolean } {
    let state = seed >>> 0;
    const next = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
    return { int, pick: (items) => items[int(0, items.length - 1)], chance: (p) => next() < p };
}

/** What a generated tree holds, for the test to check the import against. */
export interface GeneratedTree {
    dir: string;
    envs: string[];
    apps: { id: string; overlays: string[] }[];
    /** The Application's values' ports, as declared. */
    ports: Record<string, { port: number; exposedPort: number; protocol: "TCP" | "UDP"; nodePort: number }>;
    /** The kinds of change the tree makes somewhere (FEATURES), so that a test can see its trees cover them all. */
    features: Set<string>;
}

/** Every kind of change a generated tree may make. */
export const FEATURES = ["udp", "labels", "team-label", "commonLabels", "namePrefix", "nameSuffix", "json6902", "images", "placeholder", "exposedPort",
    "chart-41", "serviceName", "routeName", "selector-extra", "args", "env", "route-entryPoint-patched"] as const;

const write = (file: string, value: unknown) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof value === "string" ? value : YAML.stringify(value));
};

const ENVS = ["development", "staging", "production"] as const;
const NAMES = ["echo", "cache", "queue", "ledger", "stats", "relay", "chat", "dns"] as const;

/** A tree under `root`, made from `seed`. */
export function generateTree(root: string, seed: number): GeneratedTree {
    const r = random(seed);
    const envs = ENVS.slice(0, r.int(2, 3));
    const names = [...NAMES];
    for (let i = names.length - 1; i > 0; i--) {
        const j = r.int(0, i);
        [names[i], names[j]] = [names[j], names[i]];
    }
    names.splice(r.int(2, 4));
    const usedPorts = new Set([8000, 8443, 9000, 9100, 80, 443]);
    const usedNodePorts = new Set<number>();
    const free = (used: Set<number>, min: number, max: number) => {
        let p = r.int(min, max);
        while (used.has(p)) {
            p = p === max ? min : p + 1;
        }
        used.add(p);
        return p;
    };
    const ports: GeneratedTree["ports"] = {};
    const features = new Set<string>(["labels"]);
    const has = (feature: (typeof FEATURES)[number], yes: boolean) => {
        if (yes) {
            features.add(feature);
        }
        return yes;
    };
    const apps: GeneratedTree["apps"] = [];
    for (const name of names) {
        const udp = has("udp", name === "dns" || r.chance(0.15));
        const protocol = udp ? "UDP" : "TCP";
        const namespace = r.pick(["backend", "data", "edge"]);
        const stem = r.chance(0.7) ? name : `${name}-app`;
        const deployment = r.chance(0.5) ? `${stem}-demo` : stem;
        const service = has("serviceName", r.chance(0.3)) ? `${stem}-svc` : `${stem}-service`;
        const route = has("routeName", r.chance(0.2)) ? `${stem}-tcp` : `${stem}-route`;
        const containerPort = r.int(2000, 7000);
        const entryPoint = r.chance(0.5) ? name : `${name}-ep`;
        const port = free(usedPorts, 10000, 20000);
        ports[entryPoint] = { port, exposedPort: has("exposedPort", r.chance(0.3)) ? free(usedPorts, 20001, 30000) : port, protocol, nodePort: free(usedNodePorts, 30000, 32767) };
        const placeholder = has("placeholder", r.chance(0.6));
        const image = placeholder ? `${name}-server` : `registry.example.com/team/${name}:1.${r.int(0, 9)}`;
        const selector = has("selector-extra", r.chance(0.3)) ? { app: stem, tier: "backend" } : { app: stem };
        const base = `apps/${r.pick(["backend", "platform"])}/${name}`;
        const portName = r.pick(["tcp", "main", udp ? "dns" : "client"]);
        write(path.join(root, base, "base/deployment.yaml"), {
            apiVersion: "apps/v1", kind: "Deployment", metadata: { name: deployment, namespace, labels: { app: stem } },
            spec: {
                replicas: r.int(2, 10), selector: { matchLabels: selector },
                template: {
                    metadata: { labels: selector },
                    spec: { containers: [{
                        name: r.pick(["main", "server", "proxy"]), image,
                        ...(has("args", r.chance(0.4)) ? { args: ["--listen", `:${containerPort}`] } : {}),
                        ...(has("env", r.chance(0.3)) ? { env: [{ name: "LOG_LEVEL", value: "info" }] } : {}),
                        ports: [{ containerPort, ...(r.chance(0.5) ? { name: portName } : {}), ...(udp ? { protocol } : {}) }],
                    }] },
                },
            },
        });
        write(path.join(root, base, "base/service.yaml"), {
            apiVersion: "v1", kind: "Service", metadata: { name: service, namespace },
            spec: { selector, ports: [{ name: portName, port: r.int(1000, 9000), targetPort: containerPort, ...(udp ? { protocol } : {}) }] },
        });
        const servicePort = (YAML.parse(fs.readFileSync(path.join(root, base, "base/service.yaml"), "utf8")) as { spec: { ports: { port: number }[] } }).spec.ports[0].port;
        const routeKind = udp ? "IngressRouteUDP" : "IngressRouteTCP";
        write(path.join(root, base, "base/route.yaml"), {
            apiVersion: "traefik.io/v1alpha1", kind: routeKind, metadata: { name: route, namespace },
            spec: { entryPoints: [has("route-entryPoint-patched", r.chance(0.5)) ? "placeholder" : entryPoint], routes: [{ ...(udp ? {} : { match: "HostSNI(`*`)" }), services: [{ name: service, port: servicePort }] }] },
        });
        write(path.join(root, base, "base/kustomization.yaml"), { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: ["deployment.yaml", "service.yaml", "route.yaml"] });
        const overlays: string[] = [];
        for (const env of envs) {
            const overlay = `${base}/overlays/${env}`;
            overlays.push(overlay);
            const affixed = has("namePrefix", r.chance(0.3));
            const kustomization: Record<string, unknown> = {
                apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: ["../../base"],
                labels: [{ pairs: { environment: env, project: "ic2", ...(has("team-label", r.chance(0.4)) ? { team: name } : {}) } }],
                ...(has("commonLabels", r.chance(0.3)) ? { commonLabels: { release: env } } : {}),
                ...(affixed ? { namePrefix: `${env.slice(0, 3)}-`, ...(has("nameSuffix", r.chance(0.5)) ? { nameSuffix: "-v1" } : {}), configurations: ["name-reference.yaml"] } : {}),
                patches: [
                    { path: "patch-resources.yaml", target: { kind: "Deployment", name: deployment } },
                    { path: "route-patch.yaml", target: { group: "traefik.io", version: "v1alpha1", kind: routeKind, name: route } },
                    ...(has("json6902", r.chance(0.3)) ? [{ target: { kind: "Deployment", name: deployment }, patch: YAML.stringify([{ op: "replace", path: "/spec/replicas", value: r.int(1, 5) }]) }] : []),
                ],
                ...(has("images", placeholder || r.chance(0.5)) ? { images: [{ name: image.replace(/:.*$/, ""), newName: `registry.example.com/${env}/${name}`, newTag: `${env}-${r.int(1, 9)}` }] } : {}),
            };
            write(path.join(root, overlay, "kustomization.yaml"), kustomization);
            write(path.join(root, overlay, "patch-resources.yaml"), {
                apiVersion: "apps/v1", kind: "Deployment", metadata: { name: deployment, namespace },
                spec: { replicas: r.int(1, 3), template: { spec: { containers: [{ name: "placeholder-replaced-below", resources: { requests: { memory: `${r.pick([64, 128])}Mi`, cpu: `${r.pick([50, 100])}m` }, limits: { memory: "256Mi", cpu: "200m" } } }] } } },
            });
            write(path.join(root, overlay, "route-patch.yaml"), {
                apiVersion: "traefik.io/v1alpha1", kind: routeKind, metadata: { name: route, namespace, annotations: { "traefik.ingress.kubernetes.io/router.entrypoints": entryPoint } },
                spec: { entryPoints: [entryPoint] },
            });
            if (affixed) {
                write(path.join(root, overlay, "name-reference.yaml"), { nameReference: [{ kind: "Service", fieldSpecs: [{ kind: routeKind, path: "spec/routes/services/name" }] }] });
            }
        }
        // The patch names the base's container, as the seed's does.
        const containerName = (YAML.parse(fs.readFileSync(path.join(root, base, "base/deployment.yaml"), "utf8")) as { spec: { template: { spec: { containers: { name: string }[] } } } }).spec.template.spec.containers[0].name;
        for (const overlay of overlays) {
            const file = path.join(root, overlay, "patch-resources.yaml");
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("placeholder-replaced-below", containerName));
        }
        apps.push({ id: name, overlays });
    }
    const version = r.pick(["26.0.0", "41.3.0"]);
    has("chart-41", version === "41.3.0");
    // Chart 41's schema takes expose as {default: true}; chart 26 a boolean.
    const expose = version === "26.0.0" ? true : { default: true };
    write(path.join(root, "argocd-bootstrap/ingress-controller/traefik-app.yaml"), {
        apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: r.pick(["traefik-ingress", "traefik", "edge"]), namespace: "argocd" },
        spec: {
            project: "default",
            source: {
                chart: "traefik", repoURL: "https://traefik.github.io/charts", targetRevision: version,
                helm: { values: YAML.stringify({
                    additionalArguments: ["--accesslog=true", "--accesslog.format=json", ...Object.entries(ports).map(([n, p]) => `--entrypoints.${n}.address=:${p.port}/${p.protocol.toLowerCase()}`)],
                    service: { type: "NodePort" },
                    ports: Object.fromEntries(Object.entries(ports).map(([n, p]) => [n, { port: p.port, expose, exposedPort: p.exposedPort, protocol: p.protocol, nodePort: p.nodePort }])),
                }) },
            },
        },
    });
    return { dir: root, envs: [...envs], apps, ports, features };
}
