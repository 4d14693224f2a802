/**
 * An app's Traefik route: an IngressRouteTCP or IngressRouteUDP on its entryPoint, as the plan
 * wrote it for the stack's chart line (in gateway routing a TCPRoute or TLSRoute on its listener), with the MiddlewareTCPs, ServersTransportTCP and TLSOption
 * it refers to; an IngressRoute on `web` for an HTTP app (lib/objects/appObjects.ts's spec: what validation checked).
 */
import * as pulumi from "@pulumi/pulumi";
import { ingressRouteKind } from "../../lib/crds/ingressRoute";
import { ingressRouteTcpKind } from "../../lib/crds/ingressRouteTcp";
import { ingressRouteUdpKind } from "../../lib/crds/ingressRouteUdp";
import { middlewareTcpKind } from "../../lib/crds/middlewareTcp";
import { serversTransportTcpKind } from "../../lib/crds/serversTransportTcp";
import { tcpRouteKind } from "../../lib/crds/tcpRoute";
import { tlsOptionKind } from "../../lib/crds/tlsOption";
import { tlsRouteKind } from "../../lib/crds/tlsRoute";
import { PlannedApp, PlannedTraefikObject } from "../../lib/model";
import { httpRouteSpec } from "../../lib/objects/appObjects";
import { TypedCustomResource } from "./customResources";
import { objectMetadata } from "../../lib/objects/metadata";

/** An app's route: IngressRouteTCP, IngressRouteUDP, IngressRoute, TCPRoute or TLSRoute. */
export type AppRoute = TypedCustomResource<unknown>;
/** A MiddlewareTCP, ServersTransportTCP or TLSOption a route refers to. */
export type TraefikObject = TypedCustomResource<unknown>;

export function appRoute(name: string, app: PlannedApp, namespace: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): AppRoute {
    if (app.kind === "http") {
        return new TypedCustomResource(ingressRouteKind, name, { metadata: objectMetadata(app, app.names.route, namespace), spec: httpRouteSpec(app) }, opts);
    }
    const { route } = app;
    const metadata = objectMetadata(app, route.name, namespace);
    switch (route.kind) {
        case "IngressRouteUDP":
            return new TypedCustomResource(ingressRouteUdpKind, name, { metadata, spec: route.spec }, opts);
        case "IngressRouteTCP":
            return new TypedCustomResource(ingressRouteTcpKind, name, { metadata, spec: route.spec }, opts);
        case "TCPRoute":
            return new TypedCustomResource(tcpRouteKind, name, { metadata, spec: route.spec }, opts);
        case "TLSRoute":
            return new TypedCustomResource(tlsRouteKind, name, { metadata, spec: route.spec }, opts);
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
                return new TypedCustomResource(middlewareTcpKind, resourceName, { ...args, spec: object.spec }, opts);
            case "ServersTransportTCP":
                return new TypedCustomResource(serversTransportTcpKind, resourceName, { ...args, spec: object.spec }, opts);
            case "TLSOption":
                return new TypedCustomResource(tlsOptionKind, resourceName, { ...args, spec: object.spec }, opts);
        }
    });
}
