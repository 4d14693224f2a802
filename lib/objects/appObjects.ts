/**
 * Every object of one app as plain data, from its plan: Secret, claims, Deployment or StatefulSet,
 * Service, NetworkPolicy, a canary's three, the Certificate a passthrough app's server presents,
 * and its route with the Traefik objects the route refers to. The components register these (their
 * namespace the Namespace's output), and validation checks them (their namespace a name).
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { certificateKind, CertificateSpec } from "../crds/certificate";
import { HttpRoute, ingressRouteKind } from "../crds/ingressRoute";
import { ingressRouteTcpKind } from "../crds/ingressRouteTcp";
import { ingressRouteUdpKind } from "../crds/ingressRouteUdp";
import { middlewareTcpKind } from "../crds/middlewareTcp";
import { serversTransportTcpKind } from "../crds/serversTransportTcp";
import { tcpRouteKind } from "../crds/tcpRoute";
import { tlsOptionKind } from "../crds/tlsOption";
import { tlsRouteKind } from "../crds/tlsRoute";
import { PlannedApp, PlannedAppBase, PlannedHttpApp, PlannedServerTls } from "../model";
import { httpRule } from "../plan/matchers";
import { objectMetadata } from "./metadata";
import { appIngressSpec } from "./networkPolicy";
import { claimSpec, deploymentSpec, SecretRef, statefulSetSpec } from "./workload";

type Meta = k8s.types.input.meta.v1.ObjectMeta & { name: string };

/** An object as the API server receives it: its apiVersion, kind, metadata and the rest of its fields. */
export type Manifest<Fields extends object = object> = { apiVersion: string; kind: string; metadata: Meta } & Fields;

/** The Service in front of an app's pods, and the NetworkPolicy that admits Traefik to them. */
export function serviceAndPolicy(app: PlannedAppBase, namespace: pulumi.Input<string>, traefikNamespace: string) {
    return {
        service: {
            apiVersion: "v1", kind: "Service", metadata: objectMetadata(app, app.names.service, namespace),
            spec: {
                selector: app.selector,
                ports: [{ name: app.portName, port: app.servicePort, targetPort: app.container.port, protocol: app.protocol }],
            } satisfies k8s.types.input.core.v1.ServiceSpec,
        },
        networkPolicy: {
            apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: objectMetadata(app, app.names.networkPolicy, namespace),
            spec: appIngressSpec(app, traefikNamespace),
        },
    };
}

/** The certificate cert-manager issues for a passthrough app's own server. */
export function certificateSpec(serverTls: PlannedServerTls & { issuer: NonNullable<PlannedServerTls["issuer"]> }): CertificateSpec {
    return { secretName: serverTls.secretName, dnsNames: serverTls.dnsNames, issuerRef: { ...serverTls.issuer, group: "cert-manager.io" } };
}

/** An HTTP app's IngressRoute on `web`: an IngressRoute rather than an Ingress needs no IngressClass, a cluster-wide object two stacks would share. */
export function httpRouteSpec(app: PlannedHttpApp): { entryPoints: string[]; routes: HttpRoute[] } {
    return { entryPoints: ["web"], routes: [{ match: httpRule(app.host, app.path), kind: "Rule", services: [{ name: app.names.service, port: app.servicePort }] }] };
}

/** The apiVersion of each route and Traefik object kind, from its generated or hand-typed kind. */
const apiVersions: Record<string, string> = Object.fromEntries([ingressRouteKind, ingressRouteTcpKind, ingressRouteUdpKind, tcpRouteKind, tlsRouteKind,
    middlewareTcpKind, serversTransportTcpKind, tlsOptionKind].map((k) => [k.kind, k.apiVersion]));

/** The app's route and the objects it refers to. */
export function routeManifests(app: PlannedApp, namespace: pulumi.Input<string>): Manifest<{ spec: unknown }>[] {
    if (app.kind === "http") {
        return [{ apiVersion: ingressRouteKind.apiVersion, kind: ingressRouteKind.kind, metadata: objectMetadata(app, app.names.route, namespace), spec: httpRouteSpec(app) }];
    }
    return [...app.traefikObjects, app.route].map((o) => ({ apiVersion: apiVersions[o.kind], kind: o.kind, metadata: objectMetadata(app, o.name, namespace), spec: o.spec }));
}

/** The app's credentials Secret, filled from config secrets (`values`, by env var); absent when the app reads none. */
export function secretManifest(app: PlannedAppBase, namespace: pulumi.Input<string>, values: Record<string, pulumi.Input<string>>) {
    return app.secretEnv.length > 0 ? { apiVersion: "v1", kind: "Secret", metadata: objectMetadata(app, app.names.secret, namespace), type: "Opaque", stringData: values } : undefined;
}

/** Every object of the app but its Secret and route, in the order they are registered; `secret`: what the pods read of the Secret. */
export function workloadManifests(app: PlannedApp, namespace: pulumi.Input<string>, traefikNamespace: string, secret: SecretRef | undefined) {
    const { serverTls, storage } = app;
    const canaryApp = app.canary?.app;
    return {
        certificate: serverTls?.issuer && app.kind === "tcp"
            ? { apiVersion: certificateKind.apiVersion, kind: certificateKind.kind, metadata: objectMetadata(app, app.names.certificate, namespace), spec: certificateSpec({ ...serverTls, issuer: serverTls.issuer }) }
            : undefined,
        claims: storage ? storage.claims.map((claim) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: objectMetadata(app, claim, namespace), spec: claimSpec(storage) })) : [],
        // A stateful app runs a StatefulSet, every other a Deployment.
        statefulSet: storage
            ? { apiVersion: "apps/v1", kind: "StatefulSet", metadata: objectMetadata(app, app.names.deployment, namespace), spec: statefulSetSpec({ ...app, storage }, secret) }
            : undefined,
        deployment: storage ? undefined : { apiVersion: "apps/v1", kind: "Deployment", metadata: objectMetadata(app, app.names.deployment, namespace), spec: deploymentSpec(app, secret) },
        ...serviceAndPolicy(app, namespace, traefikNamespace),
        canary: canaryApp && {
            workload: { apiVersion: "apps/v1", kind: "Deployment", metadata: objectMetadata(canaryApp, canaryApp.names.deployment, namespace), spec: deploymentSpec(canaryApp, secret) },
            ...serviceAndPolicy(canaryApp, namespace, traefikNamespace),
        },
    };
}
