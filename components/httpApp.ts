import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appWorkload, AppWorkloadArgs } from "../lib/appObjects";
import { objectMetadata, ownershipAnnotations } from "../lib/metadata";
import { PlannedHttpApp } from "../lib/plan";

export interface HttpAppArgs extends AppWorkloadArgs {
    /** The planned app: names, image, replicas, resources, host and path. */
    app: PlannedHttpApp;
    /** The Traefik install, which provides the `traefik` IngressClass. */
    traefik: pulumi.Resource;
}

/** An HTTP app behind Traefik's `web` entryPoint: Deployment, Service, NetworkPolicy and Ingress. */
export class HttpApp extends pulumi.ComponentResource {
    /** A Deployment, or a StatefulSet when the app keeps data. */
    public readonly workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
    public readonly service: k8s.core.v1.Service;
    public readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
    public readonly ingress: k8s.networking.v1.Ingress;
    public readonly secret?: k8s.core.v1.Secret;

    constructor(name: string, args: HttpAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tcp-platform:apps:HttpApp", name, {}, opts);
        const { app, namespace } = args;
        const self: pulumi.CustomResourceOptions = { parent: this, deleteBeforeReplace: true, protect: app.protect };

        ({ secret: this.secret, workload: this.workload, service: this.service, networkPolicy: this.networkPolicy } = appWorkload(name, args, self));
        this.ingress = new k8s.networking.v1.Ingress(`${name}-ingress`, {
            metadata: {
                ...objectMetadata(app, app.names.route, namespace),
                annotations: {
                    ...ownershipAnnotations,
                    "traefik.ingress.kubernetes.io/router.entrypoints": "web",
                    // Pulumi waits for an Ingress to get a load-balancer address in its status; Traefik
                    // behind a NodePort Service publishes none, so that wait would only time out.
                    "pulumi.com/skipAwait": "true",
                },
            },
            spec: {
                ingressClassName: "traefik",
                rules: [{
                    ...(app.host ? { host: app.host } : {}),
                    http: {
                        paths: [{
                            path: app.path,
                            pathType: "Prefix",
                            backend: { service: { name: app.names.service, port: { number: app.servicePort } } },
                        }],
                    },
                }],
            },
        }, { ...self, dependsOn: [args.traefik] });

        this.registerOutputs({
            workload: this.workload.metadata.name,
            service: this.service.metadata.name,
            ingress: this.ingress.metadata.name,
        });
    }
}
