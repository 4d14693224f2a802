/** The Kubernetes names of an app's objects, derived from its catalog entry as the seed names them. */
import type { AppSpec } from "../catalog";
import type { ObjectNames } from "../model";

/** Kubernetes names derived from an app's stem, as the seed names them. */
export function objectNames(app: Pick<AppSpec, "stem" | "deploymentName" | "serviceName" | "routeName">): ObjectNames {
    return {
        deployment: app.deploymentName,
        service: app.serviceName ?? `${app.stem}-service`,
        route: app.routeName ?? `${app.stem}-route`,
        secret: `${app.stem}-credentials`,
        networkPolicy: `${app.stem}-allow-ingress`,
        certificate: `${app.stem}-tls`,
        ipAllowList: `${app.stem}-ip-allow-list`,
        maxConnections: `${app.stem}-max-connections`,
        transport: `${app.stem}-transport`,
        tlsOptions: `${app.stem}-tls-options`,
    };
}

/** Kustomize's namePrefix and nameSuffix: around every name of an app's objects. */
export interface NameAffix {
    prefix: string;
    suffix: string;
}

/** Every name with the affix around it. */
export function withAffix(names: ObjectNames, { prefix, suffix }: NameAffix): ObjectNames {
    return Object.fromEntries(Object.entries(names).map(([role, name]) => [role, `${prefix}${name}${suffix}`])) as unknown as ObjectNames;
}

/** The names of a canary's own objects: its Deployment, Service and NetworkPolicy. */
export function canaryNames(app: Pick<AppSpec, "stem" | "deploymentName" | "serviceName">): ObjectNames {
    const { service } = objectNames(app);
    return { ...objectNames({ stem: `${app.stem}-canary`, deploymentName: `${app.deploymentName}-canary` }), service: app.serviceName ? `${service}-canary` : `${app.stem}-canary-service` };
}
