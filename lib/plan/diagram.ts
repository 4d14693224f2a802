/**
 * The picture of a stack's routes, as planned: for every app, clients → NodePort → Traefik's
 * entryPoint → its route (HostSNI/ALPN rule, or in gateway routing the Gateway's listener and a
 * TCPRoute/TLSRoute) → Service → workload, a canary's weight on its edge. One graph, written as
 * Graphviz's DOT (tools/diagram.ts renders it to SVG and PNG with `dot`) and as a Mermaid flowchart
 * (GitHub draws it in a pull request's job summary). Pure.
 */
import type { PlannedApp, PlannedAppBase, PlatformPlan } from "../model";
import { portTable, PortTableRow } from "./portTable";

/** A node of the picture: its key, its lines of text, and how it is drawn. */
export interface GraphNode {
    id: string;
    label: string;
    shape: "box" | "ellipse" | "cds";
    fill: string;
}

/** The picture as a graph: nodes (some in a cluster per namespace), edges with labels. */
export interface RouteGraph {
    title: string;
    nodes: GraphNode[];
    clusters: { id: string; label: string; color: string; nodes: string[] }[];
    edges: { from: string; to: string; label?: string }[];
}

/** What the route node says: kind, name, rule, and what it applies on the way. */
function routeLabel(app: PlannedApp, row: PortTableRow, plan: PlatformPlan): string {
    if (app.kind === "http") {
        return `IngressRoute ${app.names.route}\n${row.match} && PathPrefix(\`${app.path}\`)`;
    }
    const lines = [`${app.route.kind} ${app.route.name}`];
    if (app.route.kind === "TCPRoute" || app.route.kind === "TLSRoute") {
        lines.unshift(`Gateway ${plan.traefik.gateway?.name ?? ""} listener ${app.id}`);
        lines.push(app.route.kind === "TLSRoute" ? `hostnames ${app.route.spec.hostnames.join(", ")} (TLS passthrough)` : "every connection (TCP listener)");
    } else {
        lines.push(row.match);
    }
    if (app.kind === "tcp") {
        const features = [
            app.tls && "passthrough" in app.tls ? "TLS passthrough" : undefined,
            app.tls && "secretName" in app.tls ? `TLS terminated (${app.tls.secretName})` : undefined,
            app.ipAllowList ? `allow ${app.ipAllowList.join(", ")}` : undefined,
            app.maxConnections !== undefined ? `maxConnections ${app.maxConnections}` : undefined,
            app.proxyProtocol ? `PROXY v${app.proxyProtocol.version} to the backend` : undefined,
        ].filter((f) => f !== undefined);
        if (features.length > 0 && app.route.kind === "IngressRouteTCP") {
            lines.push(features.join("; "));
        }
    }
    return lines.join("\n");
}

function workloadLabel(app: PlannedAppBase): string {
    return `${app.storage ? "StatefulSet" : "Deployment"} ${app.names.deployment}\n${app.image} ×${app.replicas}, port ${app.container.port}/${app.protocol}`;
}

/** The stack's routes as a graph, left to right: one path per app. */
export function routeGraph(plan: PlatformPlan): RouteGraph {
    const rows = portTable(plan);
    const mode = plan.traefik.routing === "gateway" ? "Gateway API (TCPRoute/TLSRoute)" : "IngressRouteTCP";
    const graph: RouteGraph = {
        title: `tcp-platform stack ${plan.identity.stack}: Traefik chart ${plan.profile.version}, ${mode} routing, Service ${plan.traefik.serviceType}`,
        nodes: [{ id: "clients", label: "clients", shape: "ellipse", fill: "#dbe9ff" }],
        clusters: [],
        edges: [],
    };
    const add = (cluster: string[] | undefined, node: GraphNode) => {
        if (!graph.nodes.some((n) => n.id === node.id)) {
            graph.nodes.push(node);
            cluster?.push(node.id);
        }
    };
    const traefik = { id: "cluster_traefik", label: `Traefik (namespace ${plan.traefik.namespace})`, color: "#c0392b", nodes: [] as string[] };
    graph.clusters.push(traefik);
    const namespaces = new Map<string, string[]>();
    for (const [i, app] of plan.apps.entries()) {
        const row = rows[i];
        const protocol = row.protocol ?? "TCP";
        const key = `${row.entryPoint}/${protocol}`;
        if (!graph.nodes.some((n) => n.id === `ep:${key}`)) {
            const nodePort = row.nodePort === undefined ? "NodePort: the cluster's" : `NodePort ${row.nodePort}`;
            add(undefined, { id: `node:${key}`, label: `${nodePort}\nService port ${row.exposedPort}/${protocol}`, shape: "cds", fill: "#dbe9ff" });
            add(traefik.nodes, { id: `ep:${key}`, label: `entryPoint ${row.entryPoint}\n:${row.traefikPort}/${protocol}`, shape: "box", fill: "#ffe0e0" });
            graph.edges.push({ from: "clients", to: `node:${key}` }, { from: `node:${key}`, to: `ep:${key}` });
        }
        const ns = namespaces.get(app.namespace) ?? [];
        namespaces.set(app.namespace, ns);
        const route = `route:${app.id}`;
        add(ns, { id: route, label: routeLabel(app, row, plan), shape: "box", fill: "#fff4d6" });
        graph.edges.push({ from: `ep:${key}`, to: route, label: app.id });
        const targets = [{ target: app as PlannedAppBase, weight: app.canary ? 100 - app.canary.weight : undefined }, ...(app.canary ? [{ target: app.canary.app, weight: app.canary.weight }] : [])];
        for (const { target, weight } of targets) {
            const service = `service:${app.namespace}/${target.names.service}`;
            const workload = `workload:${app.namespace}/${target.names.deployment}`;
            add(ns, { id: service, label: `Service ${target.names.service}\n:${target.servicePort} → ${target.portName}`, shape: "box", fill: "#e3f2e1" });
            add(ns, { id: workload, label: workloadLabel(target), shape: "box", fill: "#f0f0f0" });
            graph.edges.push({ from: route, to: service, ...(weight === undefined ? {} : { label: `${weight}%` }) }, { from: service, to: workload });
        }
    }
    for (const [namespace, nodes] of namespaces) {
        graph.clusters.push({ id: `cluster_${namespace}`, label: `namespace ${namespace}`, color: "#27ae60", nodes });
    }
    return graph;
}

/** A DOT string literal: quotes and backslashes escaped, lines kept as `\n`. */
function dotString(text: string): string {
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** The graph in Graphviz's DOT, for `dot -Tsvg` and `-Tpng`. */
export function toDot(graph: RouteGraph): string {
    const nodeLine = (n: GraphNode) => `    ${dotString(n.id)} [label=${dotString(n.label)}, shape=${n.shape}, fillcolor=${dotString(n.fill)}];`;
    const inCluster = new Set(graph.clusters.flatMap((c) => c.nodes));
    return [
        "digraph routes {",
        `  label=${dotString(graph.title)}; labelloc=t; rankdir=LR; nodesep=0.25; ranksep=0.6; fontname="DejaVu Sans";`,
        '  node [style="rounded,filled", fontname="DejaVu Sans", fontsize=10];',
        '  edge [fontname="DejaVu Sans", fontsize=9];',
        ...graph.nodes.filter((n) => !inCluster.has(n.id)).map(nodeLine),
        ...graph.clusters.flatMap((c) => [`  subgraph ${dotString(c.id)} {`, `    label=${dotString(c.label)}; style="rounded"; color=${dotString(c.color)};`,
            ...c.nodes.map((id) => nodeLine(graph.nodes.find((n) => n.id === id)!)), "  }"]),
        ...graph.edges.map((e) => `  ${dotString(e.from)} -> ${dotString(e.to)}${e.label ? ` [label=${dotString(e.label)}]` : ""};`),
        "}",
        "",
    ].join("\n");
}

/** The graph as a Mermaid flowchart, which GitHub renders in Markdown (a pull request's job summary). */
export function toMermaid(graph: RouteGraph): string {
    const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
    const text = (t: string) => `"${t.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;").replace(/\n/g, "<br/>")}"`;
    const shape = (n: GraphNode) => (n.shape === "ellipse" ? `([${text(n.label)}])` : n.shape === "cds" ? `>${text(n.label)}]` : `(${text(n.label)})`);
    const nodeLine = (n: GraphNode) => `    ${ids.get(n.id)}${shape(n)}`;
    const inCluster = new Set(graph.clusters.flatMap((c) => c.nodes));
    return [
        "---",
        `title: ${text(graph.title)}`,
        "---",
        "flowchart LR",
        ...graph.nodes.filter((n) => !inCluster.has(n.id)).map(nodeLine),
        ...graph.clusters.flatMap((c, i) => [`  subgraph c${i}[${text(c.label)}]`, ...c.nodes.map((id) => nodeLine(graph.nodes.find((n) => n.id === id)!)), "  end"]),
        ...graph.edges.map((e) => `  ${ids.get(e.from)} -->${e.label ? `|${text(e.label)}|` : ""} ${ids.get(e.to)}`),
        "",
    ].join("\n");
}

/** The stack's routes as DOT. */
export function routeDiagram(plan: PlatformPlan): string {
    return toDot(routeGraph(plan));
}
