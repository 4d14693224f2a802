import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appWorkload, AppWorkloadArgs } from "../lib/appObjects";
import { objectMetadata } from "../lib/metadata";
import { PlannedHttpApp } from "../lib/plan";
import { IngressRoute } from "../lib/traefikCrd";

export interface HttpAppArgs extends AppWorkloadArgs {
    /** The planned app: names, image, replicas, resources, host and path. */
    app: PlannedHttpApp;
    /** The Traefik install: the route waits for it so that the IngressRoute CRD exists. */
    traefik: pulumi.Resource;
}

/** An HTTP app behind Traefik's `web` entryPoint: Deployment, Service, NetworkPolicy and IngressRoute. */
export class HttpApp extends pulumi.ComponentResource {
    /** A Deployment, or a StatefulSet when the app keeps data. */
    public readonly workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
    public readonly service: k8s.core.v1.Service;
    public readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
    public readonly route: IngressRoute;
    public readonly secret?: k8s.core.v1.Secret;

    constructor(name: string, args: HttpAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tcp-platform:apps:HttpApp", name, {}, opts);
        const { app, namespace } = args;
        const self: pulumi.CustomResourceOptions = { parent: this, deleteBeforeReplace: true, protect: app.protect };

        ({ secret: this.secret, workload: this.workload, service: this.service, networkPolicy: this.networkPolicy } = appWorkload(name, args, self));
        // An IngressRoute rather than an Ingress: Traefik reads it from the stack's namespaces only,
        // and it needs no IngressClass, a cluster-wide object that two stacks would share.
        this.route = new IngressRoute(`${name}-route`, {
            metadata: objectMetadata(app, app.names.route, namespace),
            spec: {
                entryPoints: ["web"],
                routes: [{
                    match: app.host ? `Host(\`${app.host}\`) && PathPrefix(\`${app.path}\`)` : `PathPrefix(\`${app.path}\`)`,
                    kind: "Rule",
                    services: [{ name: app.names.service, port: app.servicePort }],
                }],
            },
        }, { ...self, dependsOn: [args.traefik] });

        this.registerOutputs({
            workload: this.workload.metadata.name,
            service: this.service.metadata.name,
            route: this.route.metadata.name,
        });
    }
}
