/**
 * cert-manager's Certificate (cert-manager.io/v1), typed by hand, for the certificates the program
 * requests for passthrough apps whose stack names an issuer.
 */
import type { CrdKind } from "./kind";

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

export const certificateKind: CrdKind<CertificateSpec> = { apiVersion: "cert-manager.io/v1", kind: "Certificate" };
