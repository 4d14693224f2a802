/** The schema of the stack's Traefik install (`tcp-platform:traefik`). */
import * as semver from "semver";
import { z } from "zod";
import { TRAEFIK_CHART_REPO } from "../constants";
import { dnsLabel, duration, helmReleaseName, matching, port, resourcesSchema } from "./primitives";

const count = (max: number) => z.number().int().min(1).max(max);

export const traefikSchema = z.strictObject({
    chart: z
        .strictObject({
            repo: z.string().url().default(TRAEFIK_CHART_REPO),
            version: z.string().refine((v) => semver.valid(v) !== null, { message: "is not a chart version", params: { fix: "write a version such as 26.0.0" } }).optional(),
            path: z.string().min(1).optional(),
        })
        .default({ repo: TRAEFIK_CHART_REPO }),
    installer: z.enum(["chart", "release"]).default("chart"),
    /** How TCP apps are routed: IngressRouteTCPs, or a Gateway with a TCPRoute or TLSRoute per app. */
    routing: z.enum(["ingressRoute", "gateway"]).default("ingressRoute"),
    /** Default: `traefik` plus the stack's namespaceSuffix. */
    namespace: matching(dnsLabel, "is not a namespace name", "use lowercase letters, digits and '-'").optional(),
    releaseName: matching(helmReleaseName, "is not a Helm release name (a DNS-1123 label of at most 53 characters)", "use at most 53 lowercase letters, digits and '-', starting and ending with a letter or digit").default("traefik"),
    serviceType: z.enum(["NodePort", "LoadBalancer", "ClusterIP"]).default("NodePort"),
    resources: resourcesSchema.optional(),
    /** How Traefik shuts down: open connections served for graceTimeOut after SIGTERM. */
    gracePeriod: z.strictObject({
        graceTimeOut: duration,
        requestAcceptGraceTimeout: duration.optional(),
        terminationGracePeriodSeconds: z.number().int().min(1).optional(),
    }).optional(),
    /** Traefik's pods (default 1; prod's stack file sets 2). */
    replicas: count(100).optional(),
    /** A HorizontalPodAutoscaler instead of a fixed count: between min and max pods, at `cpu` percent of the CPU request. */
    autoscaling: z.strictObject({ min: count(100), max: count(100), cpu: count(100).default(70) }).optional(),
    /** The PodDisruptionBudget of 2 pods or more (default maxUnavailable: 1). */
    disruptionBudget: z.strictObject({ maxUnavailable: z.number().int().min(0).optional(), minAvailable: z.number().int().min(0).optional() }).optional(),
    /**
     * Spare entryPoints Traefik listens on from the start, `size` of them from `port` (and NodePorts
     * from `nodePort`): an app that claims one (`entryPoint: {name: pool-<port>}`) adds only its route.
     */
    portPool: z.strictObject({ port, nodePort: z.number().int().optional(), size: count(200) }).optional(),
});
