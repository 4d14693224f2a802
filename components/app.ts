import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appWorkload, AppWorkload, AppWorkloadArgs } from "./k8s/appObjects";
import { AppRoute, appRoute, routeObjects, TraefikObject } from "./k8s/routes";

export interface AppArgs extends AppWorkloadArgs {
    /** The Traefik install: the route waits for it, so that its CRD exists. */
    traefik: pulumi.Resource;
}

// One type token per kind, as in stacks deployed so far: their URNs stay.
const typeTokens = { tcp: "tcp-platform:apps:TcpApp", udp: "tcp-platform:apps:UdpApp", http: "tcp-platform:apps:HttpApp" } as const;

/**
 * An app behind Traefik: its workload (a Deployment built with kubernetesx, or a StatefulSet with
 * claims for an app that keeps data), Service, NetworkPolicy, a canary's Deployment, Service and
 * NetworkPolicy, and its route — an IngressRouteTCP on its entryPoint for a TCP app (HostSNI(`*`)
 * for plain TCP, its host by SNI with TLS) with the middlewares, transport and TLS options it
 * names, an IngressRouteUDP for a UDP app, an IngressRoute on `web` for an HTTP app.
 */
export class App extends pulumi.ComponentResource {
    /** A Deployment, or a StatefulSet when the app keeps data. */
    public readonly workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
    public readonly service: k8s.core.v1.Service;
    public readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
    public readonly route: AppRoute;
    /** MiddlewareTCPs, a ServersTransportTCP and a TLSOption the route refers to. */
    public readonly routeObjects: TraefikObject[];
    public readonly secret?: k8s.core.v1.Secret;
    public readonly canary?: AppWorkload["canary"];

    constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
        super(typeTokens[args.app.kind], name, {}, opts);
        const { app, namespace } = args;
        // Fixed Kubernetes names: a replacement must delete the old object before creating the new.
        const self: pulumi.CustomResourceOptions = { parent: this, deleteBeforeReplace: true, protect: app.protect };

        ({ secret: this.secret, workload: this.workload, service: this.service, networkPolicy: this.networkPolicy, canary: this.canary } = appWorkload(name, args, self));
        const afterTraefik = { ...self, dependsOn: [args.traefik] };
        this.routeObjects = routeObjects(name, app, namespace, afterTraefik);
        this.route = appRoute(`${name}-route`, app, namespace, { ...afterTraefik, dependsOn: [args.traefik, ...this.routeObjects] });

        this.registerOutputs({
            workload: this.workload.metadata.name,
            service: this.service.metadata.name,
            route: this.route.metadata.name,
        });
    }
}
