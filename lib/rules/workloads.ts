/**
 * Workloads: images mapped where the catalog has a placeholder, requests within limits, claims
 * only for apps that keep data (single-primary databases at one replica), a certificate for
 * every app whose server must present one, and the secrets each container reads.
 */
import { AppSpec, catalogEntry } from "../catalog";
import { StackConfig } from "../config/schema";
import { HIDDEN_SECRET, PROJECT } from "../constants";
import { PlanDraft } from "../model";
import { resolveSetting } from "../plan/apps";
import { Problem } from "../problems";
import { parseQuantity } from "../quantity";

/** Mappings that change nothing. */
function imageProblems(config: StackConfig): Problem[] {
    return config.images.flatMap((m, i) => (!m.newName && !m.newTag && !m.digest
        ? [{ path: `${PROJECT}:images[${i}]`, value: m, problem: "changes nothing", fix: "set newName, newTag or digest" }]
        : []));
}

function resourceProblems(id: string, config: StackConfig): Problem[] {
    const resources = resolveSetting(id, config, "resources");
    const value = resources?.value;
    if (!resources || !value) {
        return [];
    }
    return (["cpu", "memory"] as const).flatMap((kind) => {
        const request = value.requests?.[kind];
        const limit = value.limits?.[kind];
        // The schema accepted both as quantities.
        return request && limit && (parseQuantity(request) ?? 0) > (parseQuantity(limit) ?? 0)
            ? [{ path: `${resources.path}.requests.${kind}`, value: request, problem: `is above the limit ${limit}${resources.path.includes(":defaults") ? ` (applies to app ${id})` : ""}`, fix: `lower the request to at most ${limit}, or raise limits.${kind}` }]
            : [];
    });
}

function secretProblems(id: string, spec: AppSpec, config: StackConfig): Problem[] {
    return (spec.container.secretEnv ?? []).flatMap((s): Problem[] => {
        const fix = `run: pulumi config set --secret ${s.configKey} <value>`;
        if (s.required && config.secrets[s.configKey] === undefined) {
            return [{ path: `${PROJECT}:${s.configKey}`, value: undefined, problem: `is required: app ${id} reads ${s.env} from it`, fix }];
        }
        return config.plainTextSecrets.includes(s.configKey) ? [{ path: `${PROJECT}:${s.configKey}`, value: HIDDEN_SECRET, problem: "is stored in plain text", fix }] : [];
    });
}

function storageProblems(id: string, spec: AppSpec, config: StackConfig): Problem[] {
    const problems: Problem[] = [];
    const at = `${PROJECT}:apps.${id}`;
    const own = config.apps[id].storage;
    if (!spec.storage) {
        if (own !== undefined) {
            problems.push({ path: `${at}.storage`, value: own, problem: `does not apply: app ${id} keeps no data on disk`, fix: "remove it" });
        }
        return problems;
    }
    const replicas = resolveSetting(id, config, "replicas");
    const count = replicas?.value ?? spec.replicas;
    if (spec.storage.singlePrimary && count > 1) {
        problems.push({
            path: replicas?.path ?? at,
            value: count,
            problem: `${replicas?.path.includes(":defaults") ? `applies to app ${id}, which` : `app ${id}`} is a single-primary database without replication: each replica would be a separate database with its own data behind one Service`,
            fix: `set apps.${id}.replicas to 1 (or 0 to stop it; its claim is kept)`,
        });
    }
    return problems;
}

/** A passthrough app's server must present a certificate of its own. */
function serverTlsProblems(id: string, spec: AppSpec, config: StackConfig): Problem[] {
    if (spec.kind !== "tcp") {
        return [];
    }
    const app = config.apps[id];
    const tls = app.tls ?? spec.tls;
    const at = `${PROJECT}:apps.${id}.tls`;
    if (!tls) {
        return [];
    }
    if (!("passthrough" in tls) || tls.passthrough !== true) {
        const certificate = (tls as { certificate?: unknown }).certificate;
        return certificate === undefined ? [] : [{
            path: `${at}.certificate`, value: certificate,
            problem: "only applies with passthrough: Traefik terminates TLS with secretName and talks plain TCP to the app",
            fix: "remove certificate, or replace secretName with passthrough: true",
        }];
    }
    if (!spec.container.tlsServer) {
        return [{
            path: `${at}.passthrough`, value: true,
            problem: `hands the client's TLS stream to ${id}, whose image does not serve TLS`,
            fix: "terminate TLS in Traefik instead: tls: {secretName: <kubernetes.io/tls Secret>}",
        }];
    }
    const certificate = "certificate" in tls ? tls.certificate : undefined;
    if (!certificate) {
        return [{
            path: `${at}.certificate`, value: undefined,
            problem: `is required with passthrough: Traefik hands the TLS stream to ${id} unopened, so ${id}'s server presents the certificate`,
            fix: `name a kubernetes.io/tls Secret in namespace ${spec.namespace} (certificate: {secretName: ${spec.stem}-tls}) or a cert-manager issuer (certificate: {issuer: {name: <issuer>, kind: ClusterIssuer}})`,
        }];
    }
    // Without an entryPoint of its own the app shares one by SNI, and the route rules ask for a host.
    if (certificate.issuer && !app.host && app.entryPoint?.port !== undefined) {
        return [{
            path: `${PROJECT}:apps.${id}.host`, value: undefined,
            problem: "is required with a certificate issuer: the Certificate is issued for the app's host name",
            fix: "set host to the name its TLS clients send, e.g. db.example.com",
        }];
    }
    return [];
}


export function workloadProblems(plan: PlanDraft): Problem[] {
    const { config } = plan;
    const placeholdersMapped = new Set(config.images.map((m) => m.name));
    return [...imageProblems(config), ...plan.apps.flatMap(({ id }) => {
        const spec = catalogEntry(plan.catalog, id);
        if (!spec) {
            return [];
        }
        const { image, placeholder } = spec.container;
        const unmapped: Problem[] = placeholder && !placeholdersMapped.has(image)
            ? [{ path: `${PROJECT}:images`, value: config.images.map((m) => m.name), problem: `has no mapping for "${image}", the image placeholder of app ${id}`, fix: `add {name: ${image}, newName: <registry/repository>, newTag: <tag>}` }]
            : [];
        return [...unmapped, ...resourceProblems(id, config), ...storageProblems(id, spec, config), ...serverTlsProblems(id, spec, config), ...secretProblems(id, spec, config)];
    })];
}
