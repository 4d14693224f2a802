import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appWorkload, AppWorkloadArgs } from "../lib/k8s/appObjects";
import { appRoute } from "../lib/k8s/routes";
import { IngressRoute, IngressRouteTCP } from "../lib/k8s/traefikCrd";

export interface AppArgs extends AppWorkloadArgs {
    /** The Traefik install: the route waits for it, so that its CRD exists. */
    traefik: pulumi.Resource;
}

/**
 * An app behind Traefik: its workload (a Deployment built with kubernetesx, or a StatefulSet with
 * claims for an app that keeps data), Service, NetworkPolicy, and its route — an IngressRouteTCP
 * on its entryPoint for a TCP app (HostSNI(`*`) for plain TCP, its host by SNI with TLS), an
 * IngressRoute on `web` for an HTTP app.
 */
export class App extends pulumi.ComponentResource {
    /** A Deployment, or a StatefulSet when the app keeps data. */
    public readonly workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
    public readonly service: k8s.core.v1.Service;
    public readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
    public readonly route: IngressRouteTCP | IngressRoute;
    public readonly secret?: k8s.core.v1.Secret;

    constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
        // One type token per kind, as in stacks deployed so far: their URNs stay.
        super(args.app.kind === "tcp" ? "tcp-platform:apps:TcpApp" : "tcp-platform:apps:HttpApp", name, {}, opts);
        const { app, namespace } = args;
        // Fixed Kubernetes names: a replacement must delete the old object before creating the new.
        const self: pulumi.CustomResourceOptions = { parent: this, deleteBeforeReplace: true, protect: app.protect };

        ({ secret: this.secret, workload: this.workload, service: this.service, networkPolicy: this.networkPolicy } = appWorkload(name, args, self));
        this.route = appRoute(`${name}-route`, app, namespace, { ...self, dependsOn: [args.traefik] });

        this.registerOutputs({
            workload: this.workload.metadata.name,
            service: this.service.metadata.name,
            route: this.route.metadata.name,
        });
    }
}
