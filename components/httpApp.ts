import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlannedHttpApp } from "../lib/plan";
import { appDeployment, credentialsSecret } from "../lib/workload";
import { objectMetadata, secretValuesFor } from "../lib/appObjects";

export interface HttpAppArgs {
    /** The planned app: names, image, replicas, resources, host and path. */
    app: PlannedHttpApp;
    /** Namespace name; pass the Namespace resource's output so it is created first. */
    namespace: pulumi.Input<string>;
    /** Secret config values by config key (only the keys the app reads are used). */
    secrets: Record<string, pulumi.Output<string>>;
    /** The Traefik install, which provides the `traefik` IngressClass. */
    traefik: pulumi.Resource;
}

/** An HTTP app behind Traefik's `web` entryPoint: Deployment, Service and Ingress. */
export class HttpApp extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;
    public readonly ingress: k8s.networking.v1.Ingress;

    constructor(name: string, args: HttpAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tcp-platform:apps:HttpApp", name, {}, opts);
        const { app, namespace } = args;
        const self: pulumi.CustomResourceOptions = { parent: this, deleteBeforeReplace: true, protect: app.protect };

        const secretValues = secretValuesFor(app, args.secrets);
        const secret = secretValues && credentialsSecret(`${name}-credentials`, app, namespace, secretValues, self);
        this.deployment = appDeployment(`${name}-deployment`, app, namespace, secret, self);
        this.service = new k8s.core.v1.Service(`${name}-service`, {
            metadata: objectMetadata(app, app.names.service, namespace),
            spec: {
                selector: app.selector,
                ports: [{ name: app.portName, port: app.servicePort, targetPort: app.container.port, protocol: "TCP" }],
            },
        }, self);
        this.ingress = new k8s.networking.v1.Ingress(`${name}-ingress`, {
            metadata: {
                ...objectMetadata(app, app.names.route, namespace),
                annotations: { "traefik.ingress.kubernetes.io/router.entrypoints": "web" },
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
            deployment: this.deployment.metadata.name,
            service: this.service.metadata.name,
            ingress: this.ingress.metadata.name,
        });
    }
}
