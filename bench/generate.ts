/** Synthetic platforms of N plain-TCP apps, for the benchmark: catalog entries and stack config. */
import { AppSpec, Catalog } from "../lib/catalog";
import { projectCatalog } from "../lib/config/catalogFiles";
import { RawConfig } from "../lib/config/schema";

export function appId(i: number): string {
    return `bench-${i}`;
}

/** The project's catalog and N more apps, each like the seed's tcp-demo. */
export function benchCatalog(n: number): Catalog {
    const apps: Record<string, AppSpec> = { ...projectCatalog() };
    for (let i = 0; i < n; i++) {
        apps[appId(i)] = {
            kind: "tcp",
            namespace: "backend",
            deploymentName: `${appId(i)}-demo`,
            stem: appId(i),
            selector: { app: appId(i) },
            replicas: 10,
            portName: "tcp",
            servicePort: 3333,
            container: { name: "proxy", image: "tcp-echo-server", placeholder: true, port: 3333, listen: { env: "PORT" } },
        };
    }
    return apps;
}

/** The stack config of a development stack running those N apps. */
export function stackConfig(n: number): RawConfig {
    const apps: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
        apps[appId(i)] = { entryPoint: { name: `ep${i}`, port: 10000 + i, nodePort: 30000 + i } };
    }
    return {
        values: {
            labels: { environment: "development", project: "ic2" },
            images: [{ name: "tcp-echo-server", newName: "iceymoss/tcp-echo", newTag: "1.0" }],
            defaults: { replicas: 1, resources: { requests: { memory: "64Mi", cpu: "50m" }, limits: { memory: "128Mi", cpu: "100m" } } },
            traefik: { chart: { version: "26.0.0" } },
            apps,
        },
        secretKeys: new Set(),
        identity: { project: "tcp-platform", stack: "bench" },
    };
}

/** The same N apps as a Kustomize tree: one base and one development overlay per app, as the seed does. */
export function kustomizeTree(n: number): Record<string, string> {
    const files: Record<string, string> = {};
    const overlays: string[] = [];
    for (let i = 0; i < n; i++) {
        const id = appId(i);
        const base = `apps/${id}/base`;
        files[`${base}/kustomization.yaml`] = "resources: [deployment.yaml, service.yaml, route.yaml]\n";
        files[`${base}/deployment.yaml`] = `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${id}-demo, namespace: backend, labels: {app: ${id}}}
spec:
  replicas: 10
  selector: {matchLabels: {app: ${id}}}
  template:
    metadata: {labels: {app: ${id}}}
    spec:
      containers:
        - name: proxy
          image: tcp-echo-server
          ports: [{containerPort: 3333}]
`;
        files[`${base}/service.yaml`] = `apiVersion: v1
kind: Service
metadata: {name: ${id}-service, namespace: backend}
spec:
  ports: [{port: 3333, targetPort: 3333, name: tcp}]
  selector: {app: ${id}}
`;
        files[`${base}/route.yaml`] = `apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata: {name: ${id}-route, namespace: backend}
spec:
  entryPoints: [ep${i}]
  routes:
    - match: HostSNI(\`*\`)
      services: [{name: ${id}-service, port: 3333}]
`;
        const overlay = `apps/${id}/overlays/development`;
        files[`${overlay}/kustomization.yaml`] = `resources: [../../base]
labels:
  - pairs: {environment: development, project: ic2}
patches:
  - target: {kind: Deployment, name: ${id}-demo}
    patch: |
      - {op: replace, path: /spec/replicas, value: 1}
      - op: add
        path: /spec/template/spec/containers/0/resources
        value: {requests: {memory: 64Mi, cpu: 50m}, limits: {memory: 128Mi, cpu: 100m}}
images:
  - {name: tcp-echo-server, newName: iceymoss/tcp-echo, newTag: "1.0"}
`;
        overlays.push(`apps/${id}/overlays/development`);
    }
    files["kustomization.yaml"] = `resources:\n${overlays.map((o) => `  - ${o}`).join("\n")}\n`;
    return files;
}
