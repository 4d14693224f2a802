/**
 * npm run object-schemas [-- --check] [--charts <dir of traefik-<version>.tgz>]
 *
 * The schemas every object the program registers is validated against offline (lib/objects/
 * validate.ts), generated into lib/objects/schemas.json: Kubernetes 1.34.4's OpenAPI v3 for the
 * built-in kinds the plan renders (and every definition they refer to; the enums of the fields the
 * program sets from the release's Go types, which the OpenAPI leaves out), and the CRD schemas of the
 * custom kinds: Traefik's of both chart lines, the Gateway API's the program installs, and
 * cert-manager's and the Prometheus Operator's of the releases the integration tier runs. Committed,
 * so a preview needs no Go module cache; with --check, exits 1 when the committed file differs from
 * what the modules and charts give (CI runs it).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as YAML from "yaml";
import { localChartDir } from "./charts";
import { CHART_LINES, GATEWAY_API_CRD_FILE, goModuleDir } from "./crdTypes";
import { KUBERNETES_VERSION, schemaKey } from "../lib/objects/validate";
import { normalizeCrd, normalizeKubernetes, refsOf, SchemaTree, trimmed } from "./schemaNormalize";

/** The Kubernetes release the local plane runs (scripts/toolchain.sh builds it from this module). */
export const KUBERNETES = { module: "k8s.io/kubernetes", version: `v${KUBERNETES_VERSION}` } as const;
/** The Go types of that release's API, whose `+enum` constants the server's validation enforces and the OpenAPI leaves out. */
export const KUBERNETES_API = { module: "k8s.io/api", version: "v0.34.4" } as const;

/** The fields the program sets whose values are a Go `+enum` type: by definition and property, the type and its file in k8s.io/api. */
const ENUM_FIELDS = [
    { def: "io.k8s.api.core.v1.ServicePort", property: "protocol", goType: "Protocol", file: "core/v1/types.go" },
    { def: "io.k8s.api.core.v1.ContainerPort", property: "protocol", goType: "Protocol", file: "core/v1/types.go" },
    { def: "io.k8s.api.networking.v1.NetworkPolicyPort", property: "protocol", goType: "Protocol", file: "core/v1/types.go" },
    { def: "io.k8s.api.core.v1.ServiceSpec", property: "type", goType: "ServiceType", file: "core/v1/types.go" },
    { def: "io.k8s.api.core.v1.Container", property: "imagePullPolicy", goType: "PullPolicy", file: "core/v1/types.go" },
    { def: "io.k8s.api.core.v1.SeccompProfile", property: "type", goType: "SeccompProfileType", file: "core/v1/types.go" },
    { def: "io.k8s.api.core.v1.PersistentVolumeClaimSpec", property: "accessModes", goType: "PersistentVolumeAccessMode", file: "core/v1/types.go" },
    { def: "io.k8s.api.networking.v1.NetworkPolicySpec", property: "policyTypes", goType: "PolicyType", file: "networking/v1/types.go" },
    { def: "io.k8s.api.apps.v1.DeploymentStrategy", property: "type", goType: "DeploymentStrategyType", file: "apps/v1/types.go" },
    { def: "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy", property: "whenDeleted", goType: "PersistentVolumeClaimRetentionPolicyType", file: "apps/v1/types.go" },
    { def: "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy", property: "whenScaled", goType: "PersistentVolumeClaimRetentionPolicyType", file: "apps/v1/types.go" },
] as const;

/** The values of a Go string type's constants (`ProtocolTCP Protocol = "TCP"`) in a file. */
function goEnum(apiDir: string, file: string, goType: string): string[] {
    const source = fs.readFileSync(path.join(apiDir, file), "utf8");
    const values = [...source.matchAll(new RegExp(`^\\s*\\w+\\s+${goType}\\s*=\\s*"([^"]*)"`, "gm"))].map((m) => m[1]);
    if (values.length === 0) {
        throw new Error(`${KUBERNETES_API.module}@${KUBERNETES_API.version} ${file}: no constants of ${goType}`);
    }
    return values;
}

/** The definitions with the enums of ENUM_FIELDS (on the items of a list field). */
function withEnums(definitions: Record<string, SchemaTree>, apiDir: string): void {
    for (const { def, property, goType, file } of ENUM_FIELDS) {
        const properties = definitions[def]?.properties;
        const field: unknown = properties !== null && typeof properties === "object" ? Object.entries(properties).find(([k]) => k === property)?.[1] : undefined;
        if (field === null || typeof field !== "object") {
            throw new Error(`no ${def}.${property} among the definitions the kinds refer to`);
        }
        const values = goEnum(apiDir, file, goType);
        const items: unknown = "items" in field ? field.items : undefined;
        Object.assign(items !== null && typeof items === "object" ? items : field, { enum: values });
    }
}

/** cert-manager and the Prometheus Operator as scripts/cluster/addons.sh and the integration tier install them. */
export const CERT_MANAGER = { module: "github.com/cert-manager/cert-manager", version: "v1.21.2" } as const;
export const PROMETHEUS_OPERATOR = { module: "github.com/prometheus-operator/prometheus-operator", version: "v0.85.0" } as const;

/** The built-in kinds the plan renders (lib/plan/plan.ts plannedObjects), by the spec file that defines them. */
export const BUILTIN_KINDS = [
    { file: "api__v1_openapi.json", group: "", version: "v1", kinds: ["Namespace", "Secret", "ConfigMap", "Service", "PersistentVolumeClaim"] },
    { file: "apis__apps__v1_openapi.json", group: "apps", version: "v1", kinds: ["Deployment", "StatefulSet"] },
    { file: "apis__networking.k8s.io__v1_openapi.json", group: "networking.k8s.io", version: "v1", kinds: ["NetworkPolicy"] },
] as const;

/** Traefik's kinds the program creates, by the plural its CRD file is named after. */
const TRAEFIK_KINDS = ["IngressRoute", "IngressRouteTCP", "IngressRouteUDP", "MiddlewareTCP", "ServersTransportTCP", "TLSOption"] as const;

export const SCHEMA_FILE = path.join("lib", "objects", "schemas.json");

interface Crd { kind: string; spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: SchemaTree } }[] } }

function readCrds(file: string): Crd[] {
    return YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS() as Crd | null).filter((c): c is Crd => c?.kind === "CustomResourceDefinition");
}

/** The schema of `kind` at `version` in the CRD, with the CRD's normalization. */
function crdSchema(crds: Crd[], kind: string, version: string, source: string): SchemaTree {
    const schema = crds.find((c) => c.spec.names.kind === kind)?.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema;
    if (!schema) {
        throw new Error(`${source}: no ${version} schema of ${kind}`);
    }
    return normalizeCrd(schema);
}

/** The file's content: the built-in kinds and their definitions, and every custom kind's schema. */
export function generateObjectSchemas(dirs: { kubernetes: string; kubernetesApi: string; certManager: string; prometheusOperator: string; charts: string; project: string }): string {
    const definitions: Record<string, SchemaTree> = {};
    const kinds: Record<string, SchemaTree> = {};
    for (const { file, group, version, kinds: names } of BUILTIN_KINDS) {
        const spec = JSON.parse(fs.readFileSync(path.join(dirs.kubernetes, "api", "openapi-spec", "v3", file), "utf8")) as { components: { schemas: Record<string, SchemaTree> } };
        const all = spec.components.schemas;
        const apiVersion = group ? `${group}/${version}` : version;
        for (const kind of names) {
            const id = Object.keys(all).find((key) => key.endsWith(`.${version}.${kind}`) && JSON.stringify(all[key]["x-kubernetes-group-version-kind"] ?? []).includes(`"kind":"${kind}"`));
            if (!id) {
                throw new Error(`${file}: no definition of ${apiVersion} ${kind}`);
            }
            kinds[schemaKey(apiVersion, kind)] = { $ref: `#/$defs/${id}` };
            // Every definition the kind refers to, transitively.
            const pending = [id];
            while (pending.length > 0) {
                const next = pending.pop() ?? "";
                if (definitions[next] || !all[next]) {
                    continue;
                }
                definitions[next] = normalizeKubernetes(next, all[next]);
                pending.push(...refsOf(all[next]));
            }
        }
    }
    withEnums(definitions, dirs.kubernetesApi);
    for (const { chart, traefik: version } of CHART_LINES) {
        const traefik = Number(version.slice(1).split(".")[0]);
        const crdDir = path.join(localChartDir(dirs.charts, chart), "crds");
        const crds = TRAEFIK_KINDS.flatMap((kind) => readCrds(path.join(crdDir, `traefik.io_${kind.toLowerCase()}s.yaml`)));
        for (const kind of TRAEFIK_KINDS) {
            kinds[schemaKey("traefik.io/v1alpha1", kind, traefik)] = crdSchema(crds, kind, "v1alpha1", `traefik-${chart}`);
        }
    }
    const gateway = readCrds(path.join(dirs.project, GATEWAY_API_CRD_FILE));
    for (const kind of ["Gateway", "TCPRoute", "TLSRoute"]) {
        kinds[schemaKey("gateway.networking.k8s.io/v1", kind)] = crdSchema(gateway, kind, "v1", GATEWAY_API_CRD_FILE);
    }
    const certificates = readCrds(path.join(dirs.certManager, "deploy", "crds", "cert-manager.io_certificates.yaml"));
    kinds[schemaKey("cert-manager.io/v1", "Certificate")] = crdSchema(certificates, "Certificate", "v1", CERT_MANAGER.module);
    for (const [kind, plural] of [["PodMonitor", "podmonitors"], ["PrometheusRule", "prometheusrules"]]) {
        const crds = readCrds(path.join(dirs.prometheusOperator, "example", "prometheus-operator-crd", `monitoring.coreos.com_${plural}.yaml`));
        kinds[schemaKey("monitoring.coreos.com/v1", kind)] = crdSchema(crds, kind, "v1", PROMETHEUS_OPERATOR.module);
    }
    const sorted = Object.fromEntries(Object.keys(definitions).sort().map((key) => [key, definitions[key]]));
    return `${JSON.stringify(trimmed({
        $id: "tcp-platform-objects",
        $comment: `Generated by tools/objectSchemas.ts from ${KUBERNETES.module}@${KUBERNETES.version} api/openapi-spec/v3 (with the +enum values of ${KUBERNETES_API.module}@${KUBERNETES_API.version}), the traefik.io CRDs of charts ${CHART_LINES.map((l) => l.chart).join(" and ")}, ${GATEWAY_API_CRD_FILE}, ${CERT_MANAGER.module}@${CERT_MANAGER.version} and ${PROMETHEUS_OPERATOR.module}@${PROMETHEUS_OPERATOR.version}. Do not edit: run npm run object-schemas.`,
        $defs: { ...sorted, ...Object.fromEntries(Object.entries(kinds)) },
    }), null, 1)}\n`;
}

function main(): void {
    // --charts: the chart archives' directory where the project is not beside ../shared (a worktree).
    const { values } = parseArgs({ options: { check: { type: "boolean", default: false }, charts: { type: "string" } } });
    const project = path.resolve(__dirname, "..");
    const text = generateObjectSchemas({
        kubernetes: goModuleDir(KUBERNETES.module, KUBERNETES.version),
        kubernetesApi: goModuleDir(KUBERNETES_API.module, KUBERNETES_API.version),
        certManager: goModuleDir(CERT_MANAGER.module, CERT_MANAGER.version),
        prometheusOperator: goModuleDir(PROMETHEUS_OPERATOR.module, PROMETHEUS_OPERATOR.version),
        charts: path.resolve(values.charts ?? path.join(project, "../shared/charts")),
        project,
    });
    const target = path.join(project, SCHEMA_FILE);
    const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
    if (current === text) {
        console.log(`${SCHEMA_FILE} is current`);
        return;
    }
    if (values.check) {
        console.error(`${SCHEMA_FILE} is not current with the modules and charts. Run: npm run object-schemas`);
        process.exit(1);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    console.log(`wrote ${SCHEMA_FILE} (${Math.round(text.length / 1024)} KiB)`);
}

if (require.main === module) {
    main();
}
