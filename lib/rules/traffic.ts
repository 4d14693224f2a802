/**
 * The TCP features of an app, each only where Traefik can apply it: middlewares, the PROXY
 * protocol and ALPN on TCP routes (ALPN with TLS), TLS options where Traefik terminates TLS, a
 * canary of a stateless TCP or UDP app; and Traefik's shutdown within the pod's grace period.
 */
import { AppConfig } from "../config/schema";
import { PROJECT } from "../constants";
import { splitImage } from "../images";
import { AppDraft, PlanDraft } from "../model";
import { SHUTDOWN_MARGIN_SECONDS } from "../plan/plan";
import { Problem } from "../problems";
import { TRAEFIK_DRAIN_SECONDS } from "../traefik/profile";

type FeatureKey = "host" | "tls" | "alpn" | "ipAllowList" | "maxConnections" | "proxyProtocol" | "canary";

/** Why a key does not apply to a UDP app. */
const notForUdp: Partial<Record<FeatureKey, string>> = {
    host: "a datagram carries no TLS handshake, so there is no host name to match",
    tls: "Traefik routes UDP without TLS",
    alpn: "a datagram carries no TLS handshake, so there is no protocol to match",
    ipAllowList: "Traefik has no UDP middlewares",
    maxConnections: "Traefik has no UDP middlewares, and UDP has no connections",
    proxyProtocol: "Traefik speaks the PROXY protocol on TCP only",
};

/** Why a key does not apply to an HTTP app. */
const notForHttp: Partial<Record<FeatureKey, string>> = {
    alpn: "it is a TCP route matcher, and HTTP apps are routed by an IngressRoute on web",
    ipAllowList: "it is a TCP middleware, and HTTP apps are routed by an IngressRoute on web",
    maxConnections: "it is a TCP middleware, and HTTP apps are routed by an IngressRoute on web",
    proxyProtocol: "it is set on TCP routes, and HTTP apps are routed by an IngressRoute on web",
    canary: "the canary splits connections of a TCP or UDP route; an HTTP app's IngressRoute splits requests",
};

function notApplicable(app: AppDraft, written: AppConfig): Problem[] {
    const at = `${PROJECT}:apps.${app.id}`;
    const reasons = app.kind === "udp" ? notForUdp : app.kind === "http" ? notForHttp : {};
    const problems: Problem[] = (Object.entries(reasons) as [FeatureKey, string][])
        .filter(([key]) => written[key] !== undefined)
        .map(([key, reason]) => ({ path: `${at}.${key}`, value: written[key], problem: `does not apply to the ${app.kind.toUpperCase()} app ${app.id}: ${reason}`, fix: "remove it" }));
    if (app.kind === "udp" && written.entryPoint?.proxyProtocol) {
        problems.push({ path: `${at}.entryPoint.proxyProtocol`, value: written.entryPoint.proxyProtocol, problem: `does not apply to the UDP app ${app.id}: ${notForUdp.proxyProtocol}`, fix: "remove it" });
    }
    if (app.kind === "http" && written.host?.startsWith("*.")) {
        problems.push({ path: `${at}.host`, value: written.host, problem: "is a wildcard, which Traefik's HTTP Host() rule does not take", fix: "use a host name such as hello.example.com" });
    }
    return problems;
}

/** ALPN needs TLS; TLS options need Traefik to terminate TLS, and a CA to verify against. */
function tlsFeatures(app: AppDraft, written: AppConfig): Problem[] {
    if (app.kind !== "tcp") {
        return [];
    }
    const at = `${PROJECT}:apps.${app.id}`;
    const problems: Problem[] = [];
    if (app.alpn && !app.tls) {
        problems.push({
            path: `${at}.alpn`, value: app.alpn,
            problem: "needs TLS: Traefik reads ALPN from the TLS ClientHello, which a plain-TCP client does not send",
            fix: "add tls: {passthrough: true, certificate: ...} or tls: {secretName: ...}, or remove alpn",
        });
    }
    const options = written.tls && "options" in written.tls ? written.tls.options : undefined;
    if (options && app.tls && "passthrough" in app.tls) {
        problems.push({
            path: `${at}.tls.options`, value: options,
            problem: "does not apply with passthrough: Traefik hands the TLS stream to the app unopened and negotiates nothing",
            fix: `set the TLS version and client certificates in ${app.id}'s own server, or let Traefik terminate TLS: tls: {secretName: <kubernetes.io/tls Secret>, options: ...}`,
        });
    }
    const clientAuth = options?.clientAuth;
    if (clientAuth && /Verify/.test(clientAuth.mode) && !clientAuth.secretNames?.length) {
        problems.push({
            path: `${at}.tls.options.clientAuth.secretNames`, value: clientAuth.secretNames,
            problem: `is required with mode ${clientAuth.mode}: Traefik verifies client certificates against the CAs these Secrets hold`,
            fix: `name Secrets in ${app.namespace} that hold the CA as ca.crt (or tls.ca), e.g. secretNames: [${app.names.service.replace(/-service$/, "")}-client-ca]`,
        });
    }
    return problems;
}

function canaryProblems(app: AppDraft, written: AppConfig): Problem[] {
    const canary = written.canary;
    if (!canary || app.kind === "http") {
        return [];
    }
    const path = `${PROJECT}:apps.${app.id}.canary`;
    if (app.storage) {
        return [{
            path, value: canary,
            problem: `is refused for ${app.id}, which keeps data: a second workload would be a second, empty database behind the same route`,
            fix: "roll the new tag out through images (one primary), or remove canary",
        }];
    }
    return splitImage(app.image).tag === canary.newTag && !splitImage(app.image).digest
        ? [{ path: `${path}.newTag`, value: canary.newTag, problem: `is the tag ${app.id} already runs (${app.image}): the canary would change nothing`, fix: "set the tag to try" }]
        : [];
}

/** Traefik's shutdown must fit in its pod's grace period, or Kubernetes kills it while it serves. */
function shutdownProblems(plan: PlanDraft): Problem[] {
    const shutdown = plan.traefik.shutdown;
    const written = plan.config.traefik.gracePeriod?.terminationGracePeriodSeconds;
    if (!shutdown || written === undefined || written >= shutdown.needed) {
        return [];
    }
    return [{
        path: `${PROJECT}:traefik.gracePeriod.terminationGracePeriodSeconds`, value: written,
        problem: `is shorter than Traefik's shutdown: a ${TRAEFIK_DRAIN_SECONDS} s preStop drain, then ${shutdown.requestAcceptGraceTimeout} s accepting (requestAcceptGraceTimeout) ` +
            `and ${shutdown.graceTimeOut} s serving open connections (graceTimeOut); Kubernetes would kill Traefik while it still serves them`,
        fix: `set it to at least ${shutdown.needed}, or leave it out (${shutdown.needed + SHUTDOWN_MARGIN_SECONDS})`,
    }];
}

export function trafficProblems(plan: PlanDraft): Problem[] {
    return [
        ...plan.apps.flatMap((app) => {
            const written = plan.config.apps[app.id];
            return [...notApplicable(app, written), ...tlsFeatures(app, written), ...canaryProblems(app, written)];
        }),
        ...shutdownProblems(plan),
    ];
}
