/**
 * Typed cert-manager resources (cert-manager.io/v1), for the Certificates the program requests
 * for passthrough apps whose stack names an issuer.
 */
import { customResourceClass } from "./crd";

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

export const Certificate = customResourceClass<CertificateSpec>("cert-manager.io/v1", "Certificate");
export type Certificate = InstanceType<typeof Certificate>;
