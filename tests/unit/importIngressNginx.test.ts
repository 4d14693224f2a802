/**
 * `npm run import -- ingress-nginx`: the tcp-services / udp-services format as ingress-nginx reads
 * it (`<namespace>/<service>:<port>[:PROXY[:PROXY]]`), each entry an app on the same external port
 * with the controller's NodePort, `::PROXY` PROXY protocol towards the app, `:PROXY` an entryPoint
 * that takes it from trusted addresses, a UDP entry a UDP app; the backing objects kept field for
 * field; what cannot be carried refused with nothing written.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { loadCatalog } from "../../lib/config/catalogFiles";
import { rawConfigFromStackFile } from "../../lib/config/load";
import { asWritten } from "../../lib/import/asWritten";
import { streamEntries } from "../../lib/import/ingressNginx";
import { KubeObject } from "../../lib/import/objects";
import { differences } from "../../lib/import/parity";
import { ConfigError, formatProblem } from "../../lib/problems";
import { evaluate } from "../../tools/evaluate";
import { importIngressNginx } from "../../tools/importIngressNginx";
import { writeImport } from "../../tools/importOutput";
import { manifestsOf, traefikValuesOf } from "../../tools/manifests";
import { projectDir } from "../support/helpers";
import { NGINX_NODE_PORTS, nginxBackends, nginxConfigMaps, nginxController } from "../support/ingressNginx";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "tcp-platform-nginx-"));
/** A file as the import names it: relative to where it runs, unless it is outside. */
const shown = (file: string) => (path.relative(process.cwd(), file).startsWith("..") ? file : path.relative(process.cwd(), file));

/** An object as `kubectl get -o yaml` prints it: with what the API server keeps and defaults. */
function asServed(object: any): any {
    const served = structuredClone(object);
    served.metadata = { ...served.metadata, uid: "0e5c", resourceVersion: "812", creationTimestamp: "2026-03-01T10:00:00Z", annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } };
    if (served.kind === "Deployment") {
        served.metadata.generation = 1;
        served.metadata.annotations["deployment.kubernetes.io/revision"] = "1";
        Object.assign(served.spec, { progressDeadlineSeconds: 600, revisionHistoryLimit: 10, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } } });
        Object.assign(served.spec.template.spec, { dnsPolicy: "ClusterFirst", restartPolicy: "Always", schedulerName: "default-scheduler", securityContext: {}, terminationGracePeriodSeconds: 30 });
        served.spec.template.metadata.creationTimestamp = null;
        for (const c of served.spec.template.spec.containers) {
            Object.assign(c, { imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", resources: c.resources ?? {} });
            if (c.ports) {
                c.ports = c.ports.map((p: any) => ({ protocol: "TCP", ...p }));
            }
        }
        served.status = { replicas: 2, readyReplicas: 2 };
    } else if (served.kind === "Service") {
        Object.assign(served.spec, { clusterIP: "10.0.0.12", clusterIPs: ["10.0.0.12"], ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack", sessionAffinity: "None", internalTrafficPolicy: "Cluster", type: served.spec.type ?? "ClusterIP" });
        served.status = { loadBalancer: {} };
    }
    return served;
}

/** The setup in files: the ConfigMaps, and `kubectl get services,deployments -A -o yaml` of the cluster. */
function setupFiles(change: { configMaps?: unknown[]; objects?: unknown[] } = {}): { dir: string; configMaps: string; services: string } {
    const dir = tmp();
    const configMaps = path.join(dir, "configmaps.yaml");
    const services = path.join(dir, "services.yaml");
    fs.writeFileSync(configMaps, (change.configMaps ?? nginxConfigMaps()).map((o) => YAML.stringify(o)).join("---\n"));
    const objects = (change.objects ?? [...nginxBackends(), ...nginxController()]).filter((o: any) => o.kind !== "Namespace").map(asServed);
    fs.writeFileSync(services, YAML.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    return { dir, configMaps, services };
}

async function refusals(files: string[], services: string | undefined, trusted?: string): Promise<string[]> {
    const out = tmp();
    try {
        await importIngressNginx(files, services, trusted, out, projectDir);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, /^the import has \d+ problems?; nothing was written:/);
        assert.deepEqual(fs.readdirSync(out), [], "nothing is written");
        return err.problems.map(formatProblem);
    }
    assert.fail("the import was not refused");
}

const entry = (value: string, name = "tcp-services") => streamEntries({ object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ingress-nginx" }, data: { 9000: value } }, source: { file: "cm.yaml", changedBy: [] } })[0] as any;

describe("npm run import -- ingress-nginx", function () {
    this.timeout(120_000);

    it("reads an entry as ingress-nginx does: the port by number or name, the first PROXY decodes, the second (::PROXY) encodes", () => {
        const read = (value: string, cm?: string) => {
            const e = entry(value, cm);
            return "problem" in e ? formatProblem(e) : [e.protocol, e.namespace, e.service, e.port, e.decode, e.encode];
        };
        assert.deepEqual(read("default/example-go:8080"), ["TCP", "default", "example-go", 8080, false, false]);
        assert.deepEqual(read("default/example-go:http"), ["TCP", "default", "example-go", "http", false, false]);
        assert.deepEqual(read("db/pg:5432:PROXY"), ["TCP", "db", "pg", 5432, true, false]);
        assert.deepEqual(read("db/pg:5432::PROXY"), ["TCP", "db", "pg", 5432, false, true]);
        assert.deepEqual(read("db/pg:5432:proxy:PROXY"), ["TCP", "db", "pg", 5432, true, true]);
        assert.deepEqual(read("kube-system/kube-dns:53", "udp-services"), ["UDP", "kube-system", "kube-dns", 53, false, false]);
        assert.deepEqual(read("example-go:8080"), 'cm.yaml: ConfigMap ingress-nginx/tcp-services: data["9000"] is not <namespace>/<service>:<port>[:PROXY[:PROXY]] (got "example-go:8080"). Fix: write it as ingress-nginx reads it, e.g. "default/example-go:8080"');
        assert.deepEqual(read("db/pg:5432:SEND"), 'cm.yaml: ConfigMap ingress-nginx/tcp-services: data["9000"] has a field other than PROXY after the port (got "db/pg:5432:SEND"). Fix: write PROXY, or leave the field empty (::PROXY encodes only)');
        assert.deepEqual(read("ns/dns:53:PROXY", "udp-services"), 'cm.yaml: ConfigMap ingress-nginx/udp-services: data["9000"] asks for PROXY protocol on UDP, which ingress-nginx does not do (it reads PROXY on TCP entries only) (got "ns/dns:53:PROXY"). Fix: remove the PROXY fields');
        assert.deepEqual(read("a/b:1", "nginx-config"), 'cm.yaml: ConfigMap ingress-nginx/nginx-config: is neither a tcp-services nor a udp-services ConfigMap (by its name: tcp-services, udp-services, <release>-tcp, <release>-udp) (got "nginx-config"). Fix: name the ConfigMaps as ingress-nginx\'s --tcp-services-configmap and --udp-services-configmap name them');
    });

    it("makes each entry an app on its external port, with the controller's NodePort; ::PROXY towards the app, :PROXY from trusted addresses, UDP a UDP app", async () => {
        const { dir, configMaps, services } = setupFiles();
        const out = path.join(dir, "out");
        fs.mkdirSync(out);
        writeImport(out, await importIngressNginx([configMaps], services, "10.0.0.0/8", out, projectDir));
        assert.deepEqual(fs.readdirSync(path.join(out, "catalog")).sort(), ["dns.yaml", "example-go.yaml", "pg.yaml", "relay.yaml"]);
        const { resources } = await evaluate(rawConfigFromStackFile(path.join(out, "Pulumi.ingress-nginx.yaml"), projectDir), "ingress-nginx", [], loadCatalog(path.join(out, "catalog")));
        const ports = traefikValuesOf(resources).ports as Record<string, any>;
        assert.deepEqual(Object.fromEntries(Object.entries(ports).map(([name, p]) => [name, [p.exposedPort, p.nodePort, p.protocol, p.port]])), {
            "example-go": [9000, NGINX_NODE_PORTS["9000-tcp"], "TCP", 10000],
            pg: [5432, NGINX_NODE_PORTS["5432-tcp"], "TCP", 5432],
            relay: [7000, NGINX_NODE_PORTS["7000-tcp"], "TCP", 7000],
            dns: [53, NGINX_NODE_PORTS["53-udp"], "UDP", 10001],
        });
        assert.deepEqual(ports.relay.proxyProtocol, { trustedIPs: ["10.0.0.0/8"] });
        assert.equal(ports.pg.proxyProtocol, undefined);
        const manifests = manifestsOf(resources);
        const route = (kind: string, name: string): any => manifests.find((m) => m.kind === kind && m.metadata.name === name);
        // Chart 26 ships Traefik v2: the PROXY protocol header is the route's service's.
        assert.deepEqual(route("IngressRouteTCP", "pg-route").spec.routes[0].services, [{ name: "pg", port: 5432, proxyProtocol: { version: 1 } }]);
        assert.deepEqual(route("IngressRouteTCP", "example-go-route").spec.routes[0].services, [{ name: "example-go", port: 8080 }]);
        assert.deepEqual(route("IngressRouteUDP", "dns-route").spec.routes[0].services, [{ name: "dns", port: 53 }]);
        // The backing objects as their authors wrote them: every field kept.
        const written = [...nginxBackends()].filter((o: any) => o.kind !== "Namespace").map((o) => asWritten(asServed(o) as KubeObject));
        assert.deepEqual(written.flatMap((o) => differences(o, manifests)), []);
        assert.deepEqual(written.map((o) => asWritten(o)), nginxBackends().filter((o: any) => o.kind !== "Namespace"), "the server's fields and defaults are what asWritten takes off, no more");
    });

    it("refuses what cannot be carried, naming the file, the object and the reason, and writes nothing", async () => {
        const { dir, configMaps, services } = setupFiles({ objects: [
            ...nginxBackends().filter((o: any) => !(o.kind === "Deployment" && o.metadata.name === "relay")),
            { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "batch", namespace: "demo" }, spec: { selector: { matchLabels: { app: "batch" } }, template: { metadata: { labels: { app: "batch" } }, spec: { containers: [{ name: "batch", image: "batch:1" }] } } } },
            ...nginxController(),
        ] });
        const second = path.join(dir, "more.yaml");
        fs.writeFileSync(second, YAML.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ingress-nginx-tcp", namespace: "ingress-nginx" }, data: { 9000: "demo/pg:5432", 8000: "default/web:80" } }));
        assert.deepEqual(await refusals([configMaps, second], services), [
            `${shown(second)}: ConfigMap ingress-nginx/ingress-nginx-tcp: data["9000"] is a second entry on TCP port 9000 (${shown(configMaps)} has one): one port serves one app (got "demo/pg"). Fix: keep one of the two entries`,
            `${shown(services)}: Service demo/relay: selects no Deployment's pods: the stack cannot select them (the app's workload is not among what is imported) (got {"app":"relay"}). Fix: import the Deployment with its Service (the same overlay, or --services)`,
            `${shown(second)}: ConfigMap ingress-nginx/ingress-nginx-tcp: data["8000"] names Service default/web, which --services does not hold (got "default/web:80"). Fix: give --services the file (or the cluster) that holds it, with the Deployment behind it`,
            `${shown(second)}: ConfigMap ingress-nginx/ingress-nginx-tcp: data["9000"] exposes Service demo/pg, which another entry exposes already (or another of that name): an app has one entryPoint (got "pg"). Fix: expose each Service once`,
            `${shown(services)}: Deployment demo/batch: is in namespace demo, where the stack would run imported apps, and no entry exposes it: the stack's NetworkPolicy, which denies all ingress there but its apps', would cut it off (got nothing). Fix: move it, or the imported apps, to a namespace of its own first`,
        ]);
        const whole = setupFiles();
        assert.deepEqual(await refusals([whole.configMaps], whole.services), [
            `${shown(whole.configMaps)}: ConfigMap ingress-nginx/tcp-services: data["7000"]'s first PROXY: ingress-nginx takes PROXY protocol headers from whoever connects, Traefik only from addresses it trusts (got "demo/relay:tcp:PROXY"). Fix: pass --trusted-ips <the load balancer's addresses, as CIDRs>`,
        ]);
        assert.deepEqual(await refusals([configMaps], undefined), [
            "--services: is required: the entries name Services, and the import reads them and their Deployments (and the controller's Service, for its NodePorts) (got nothing). Fix: pass --services <file> (kubectl get services,deployments -A -o yaml) or --services cluster",
        ]);
    });
});
