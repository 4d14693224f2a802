import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appWorkload, AppWorkloadArgs } from "../lib/appObjects";
import { objectMetadata, ownershipAnnotations } from "../lib/metadata";
import { PlannedTcpApp } from "../lib/plan";
import { IngressRouteTCP } from "../lib/traefikCrd";

export interface TcpAppArgs extends AppWorkloadArgs {
    /** The planned app: names, image, replicas, resources, entryPoint, host and TLS. */
    app: PlannedTcpApp;
    /** The Traefik install: the route waits for it so that the IngressRouteTCP CRD exists. */
    traefik: pulumi.Resource;
}

/**
 * A TCP app behind Traefik: Deployment (built with kubernetesx), ClusterIP Service,
 * NetworkPolicy and an IngressRouteTCP. Plain TCP gets an entryPoint of its own and matches
 * HostSNI(`*`); a TLS app shares an entryPoint (websecure) and is told apart by SNI.
 */
export class TcpApp extends pulumi.ComponentResource {
    /** A Deployment, or a StatefulSet when the app keeps data. */
    public readonly workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
    public readonly service: k8s.core.v1.Service;
    public readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
    public readonly route: IngressRouteTCP;
    public readonly secret?: k8s.core.v1.Secret;

    constructor(name: string, args: TcpAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tcp-platform:apps:TcpApp", name, {}, opts);
        const { app, namespace } = args;
        // Fixed Kubernetes names: a replacement must delete the old object before creating the new.
        const self: pulumi.CustomResourceOptions = { parent: this, deleteBeforeReplace: true, protect: app.protect };

        ({ secret: this.secret, workload: this.workload, service: this.service, networkPolicy: this.networkPolicy } = appWorkload(name, args, self));
        this.route = new IngressRouteTCP(`${name}-route`, {
            metadata: {
                ...objectMetadata(app, app.names.route, namespace),
                // The seed's overlay names the entryPoint here too; tools that read annotations see it.
                annotations: { ...ownershipAnnotations, "traefik.ingress.kubernetes.io/router.entrypoints": app.entryPoint },
            },
            spec: {
                entryPoints: [app.entryPoint],
                routes: [{
                    match: `HostSNI(\`${app.host ?? "*"}\`)`,
                    services: [{ name: app.names.service, port: app.servicePort }],
                }],
                ...(app.tls ? { tls: app.tls } : {}),
            },
        }, { ...self, dependsOn: [args.traefik] });

        this.registerOutputs({
            workload: this.workload.metadata.name,
            service: this.service.metadata.name,
            route: this.route.metadata.name,
        });
    }
}
