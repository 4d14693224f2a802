/**
 * An ingress-nginx setup as its users run one (the docs' example-go on 9000, a database behind
 * `::PROXY`, a relay behind a load balancer that speaks PROXY (`:PROXY`), DNS over UDP on 53):
 * its tcp-services and udp-services ConfigMaps, the Deployments and Services behind them, and the
 * controller's NodePort Service. The unit tier imports it from files; the integration tier
 * applies it to the local control plane and imports it from there.
 */

/** The NodePorts the controller's Service gives each port. */
export const NGINX_NODE_PORTS = { http: 30080, https: 30443, "9000-tcp": 30900, "5432-tcp": 30432, "7000-tcp": 30700, "53-udp": 30053 } as const;

const namespace = "demo";

function app(name: string, image: string, port: { container: number; service: number; protocol?: "UDP" }, extra: Record<string, unknown> = {}): unknown[] {
    const protocol = port.protocol ? { protocol: port.protocol } : {};
    return [
        {
            apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace, labels: { app: name } },
            spec: {
                replicas: 2, selector: { matchLabels: { app: name } },
                template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, ports: [{ containerPort: port.container, ...protocol }], ...extra }] } },
            },
        },
        {
            apiVersion: "v1", kind: "Service", metadata: { name, namespace, labels: { app: name } },
            spec: { selector: { app: name }, ports: [{ name: port.protocol === "UDP" ? "dns" : "tcp", port: port.service, targetPort: port.container, ...protocol }] },
        },
    ];
}

/** The apps' namespace, Deployments and Services. */
export function nginxBackends(): unknown[] {
    return [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
        ...app("example-go", "registry.example.com/example-go:1.4", { container: 8080, service: 8080 }, { resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } } }),
        ...app("pg", "postgres:17.2", { container: 5432, service: 5432 }, { env: [{ name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" }] }),
        ...app("relay", "registry.example.com/relay:2.0", { container: 7000, service: 7000 }, { args: ["--listen", ":7000"] }),
        ...app("dns", "coredns/coredns:1.12.1", { container: 5353, service: 53, protocol: "UDP" }, { args: ["-dns.port", "5353"] }),
    ];
}

/** The tcp-services and udp-services ConfigMaps. */
export function nginxConfigMaps(): unknown[] {
    return [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "tcp-services", namespace: "ingress-nginx" },
            data: { 9000: `${namespace}/example-go:8080`, 5432: `${namespace}/pg:5432::PROXY`, 7000: `${namespace}/relay:tcp:PROXY` } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "udp-services", namespace: "ingress-nginx" }, data: { 53: `${namespace}/dns:53` } },
    ];
}

/** The controller's namespace and NodePort Service, a port for each entry as ingress-nginx's chart names them. */
export function nginxController(): unknown[] {
    const port = (name: keyof typeof NGINX_NODE_PORTS, number: number, protocol: "TCP" | "UDP" = "TCP") => ({ name, port: number, targetPort: name, protocol, nodePort: NGINX_NODE_PORTS[name] });
    return [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "ingress-nginx" } },
        {
            apiVersion: "v1", kind: "Service",
            metadata: { name: "ingress-nginx-controller", namespace: "ingress-nginx", labels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" } },
            spec: {
                type: "NodePort", selector: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" },
                ports: [port("http", 80), port("https", 443), port("9000-tcp", 9000), port("5432-tcp", 5432), port("7000-tcp", 7000), port("53-udp", 53, "UDP")],
            },
        },
    ];
}
