/**
 * Typed cert-manager resources (cert-manager.io/v1), for the Certificates the program requests
 * for passthrough apps whose stack names an issuer.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface IssuerRef {
    name: string;
    kind: "Issuer" | "ClusterIssuer";
    group: "cert-manager.io";
}

export interface CertificateSpec {
    /** The kubernetes.io/tls Secret cert-manager writes (and renews). */
    secretName: string;
    /** The names the certificate is valid for: the app's SNI host. */
    dnsNames: string[];
    issuerRef: IssuerRef;
}

export interface CertificateArgs {
    metadata: k8s.types.input.meta.v1.ObjectMeta;
    spec: pulumi.Input<CertificateSpec>;
}

export class Certificate extends k8s.apiextensions.CustomResource {
    constructor(name: string, args: CertificateArgs, opts?: pulumi.CustomResourceOptions) {
        super(name, { apiVersion: "cert-manager.io/v1", kind: "Certificate", ...args }, opts);
    }
}
