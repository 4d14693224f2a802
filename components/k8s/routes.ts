/**
 * An app's Traefik route: an IngressRouteTCP or IngressRouteUDP on its entryPoint, as the plan
 * wrote it for the stack's chart line (in gateway routing a TCPRoute or TLSRoute on its listener), with the MiddlewareTCPs, ServersTransportTCP and TLSOption
 * it refers to; an IngressRoute on `web` for an HTTP app.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlannedApp, PlannedTraefikObject } from "../../lib/model";
import { IngressRoute, IngressRouteTCP, IngressRouteUDP, MiddlewareTCP, ServersTransportTCP, TCPRoute, TLSOption, TLSRoute } from "./customResources";
import { objectMetadata } from "./metadata";

export type AppRoute = IngressRouteTCP | IngressRouteUDP | IngressRoute | TCPRoute | TLSRoute;
export type TraefikObject = MiddlewareTCP | ServersTransportTCP | TLSOption;

export function appRoute(name: string, app: PlannedApp, namespace: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): AppRoute {
    if (app.kind === "http") {
        const services = [{ name: app.names.service, port: app.servicePort }];
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
    const { route } = app;
    const metadata = objectMetadata(app, route.name, namespace);
    switch (route.kind) {
        case "IngressRouteUDP":
            return new IngressRouteUDP(name, { metadata, spec: route.spec }, opts);
        case "IngressRouteTCP":
            return new IngressRouteTCP(name, { metadata, spec: route.spec }, opts);
        case "TCPRoute":
            return new TCPRoute(name, { metadata, spec: route.spec }, opts);
        case "TLSRoute":
            return new TLSRoute(name, { metadata, spec: route.spec }, opts);
    }
}

/** The objects an app's route refers to, named `<app>-<role>` in Pulumi. */
export function routeObjects(name: string, app: PlannedApp, namespace: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): TraefikObject[] {
    const objects: PlannedTraefikObject[] = app.kind === "http" ? [] : app.traefikObjects;
    return objects.map((object) => {
        const args = { metadata: objectMetadata(app, object.name, namespace) };
        const resourceName = `${name}-${object.role}`;
        switch (object.kind) {
            case "MiddlewareTCP":
                return new MiddlewareTCP(resourceName, { ...args, spec: object.spec }, opts);
            case "ServersTransportTCP":
                return new ServersTransportTCP(resourceName, { ...args, spec: object.spec }, opts);
            case "TLSOption":
                return new TLSOption(resourceName, { ...args, spec: object.spec }, opts);
        }
    });
}
