/**
 * An app's Traefik route: an IngressRouteTCP on its entryPoint (HostSNI of its host, `*` for
 * plain TCP) for a TCP app, an IngressRoute on `web` for an HTTP app.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlannedApp } from "../plan/plan";
import { objectMetadata } from "./metadata";
import { IngressRoute, IngressRouteTCP } from "./traefikCrd";

export function appRoute(name: string, app: PlannedApp, namespace: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): IngressRouteTCP | IngressRoute {
    const services = [{ name: app.names.service, port: app.servicePort }];
    if (app.kind === "http") {
        // An IngressRoute rather than an Ingress: Traefik reads it from the stack's namespaces only,
        // and it needs no IngressClass, a cluster-wide object that two stacks would share.
        return new IngressRoute(name, {
            metadata: objectMetadata(app, app.names.route, namespace),
            spec: {
                entryPoints: ["web"],
                routes: [{
                    match: app.host ? `Host(\`${app.host}\`) && PathPrefix(\`${app.path}\`)` : `PathPrefix(\`${app.path}\`)`,
                    kind: "Rule",
                    services,
                }],
            },
        }, opts);
    }
    // Validated plans always give a TCP app an entryPoint.
    const entryPoint = app.entryPoint!;
    return new IngressRouteTCP(name, {
        metadata: objectMetadata(app, app.names.route, namespace),
        spec: {
            entryPoints: [entryPoint],
            routes: [{ match: `HostSNI(\`${app.host ?? "*"}\`)`, services }],
            ...(app.tls ? { tls: app.tls } : {}),
        },
    }, opts);
}
