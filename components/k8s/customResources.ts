/**
 * Typed custom resources, one class per kind the program creates: a misspelt field fails to
 * compile instead of being dropped by the API server. The spec types and each kind's apiVersion
 * come from lib/crds (generated from the charts' and Gateway API's CRDs, or typed by hand).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CertificateSpec, certificateKind } from "../../lib/crds/certificate";
import { GatewaySpec, gatewayKind } from "../../lib/crds/gateway";
import { IngressRouteSpec, ingressRouteKind } from "../../lib/crds/ingressRoute";
import { IngressRouteTCPSpec, ingressRouteTcpKind } from "../../lib/crds/ingressRouteTcp";
import { IngressRouteUDPSpec, ingressRouteUdpKind } from "../../lib/crds/ingressRouteUdp";
import { MiddlewareTCPSpec, middlewareTcpKind } from "../../lib/crds/middlewareTcp";
import { PodMonitorSpec, podMonitorKind, PrometheusRuleSpec, prometheusRuleKind } from "../../lib/crds/prometheusOperator";
import { ServersTransportTCPSpec, serversTransportTcpKind } from "../../lib/crds/serversTransportTcp";
import { TCPRouteSpec, tcpRouteKind } from "../../lib/crds/tcpRoute";
import { TLSOptionSpec, tlsOptionKind } from "../../lib/crds/tlsOption";
import { TLSRouteSpec, tlsRouteKind } from "../../lib/crds/tlsRoute";

export interface CustomResourceArgs<Spec> {
    metadata: k8s.types.input.meta.v1.ObjectMeta;
    spec: pulumi.Input<Spec>;
}

/** A resource class for one apiVersion and kind whose `spec` is `Spec`. */
function customResourceClass<Spec>({ apiVersion, kind }: { apiVersion: string; kind: string }) {
    return class extends k8s.apiextensions.CustomResource {
        constructor(name: string, args: CustomResourceArgs<Spec>, opts?: pulumi.CustomResourceOptions) {
            super(name, { apiVersion, kind, ...args }, opts);
        }
    };
}

export const IngressRouteTCP = customResourceClass<IngressRouteTCPSpec>(ingressRouteTcpKind);
export type IngressRouteTCP = InstanceType<typeof IngressRouteTCP>;
export const IngressRouteUDP = customResourceClass<IngressRouteUDPSpec>(ingressRouteUdpKind);
export type IngressRouteUDP = InstanceType<typeof IngressRouteUDP>;
export const IngressRoute = customResourceClass<IngressRouteSpec>(ingressRouteKind);
export type IngressRoute = InstanceType<typeof IngressRoute>;
export const MiddlewareTCP = customResourceClass<MiddlewareTCPSpec>(middlewareTcpKind);
export type MiddlewareTCP = InstanceType<typeof MiddlewareTCP>;
export const ServersTransportTCP = customResourceClass<ServersTransportTCPSpec>(serversTransportTcpKind);
export type ServersTransportTCP = InstanceType<typeof ServersTransportTCP>;
export const TLSOption = customResourceClass<TLSOptionSpec>(tlsOptionKind);
export type TLSOption = InstanceType<typeof TLSOption>;
export const Gateway = customResourceClass<GatewaySpec>(gatewayKind);
export type Gateway = InstanceType<typeof Gateway>;
export const TCPRoute = customResourceClass<TCPRouteSpec>(tcpRouteKind);
export type TCPRoute = InstanceType<typeof TCPRoute>;
export const TLSRoute = customResourceClass<TLSRouteSpec>(tlsRouteKind);
export type TLSRoute = InstanceType<typeof TLSRoute>;
export const Certificate = customResourceClass<CertificateSpec>(certificateKind);
export type Certificate = InstanceType<typeof Certificate>;
export const PodMonitor = customResourceClass<PodMonitorSpec>(podMonitorKind);
export type PodMonitor = InstanceType<typeof PodMonitor>;
export const PrometheusRule = customResourceClass<PrometheusRuleSpec>(prometheusRuleKind);
export type PrometheusRule = InstanceType<typeof PrometheusRule>;
