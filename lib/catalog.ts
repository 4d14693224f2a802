/**
 * The app catalog: what each app *is* (names, selector, container and how its image is told its
 * port, TLS and data directory), as data: one `catalog/<id>.yaml` per app, read and validated by
 * lib/config/catalogSchema.ts (loaded by lib/config/catalogFiles.ts). Everything an environment changes (replicas, resources, images,
 * labels, entryPoints, hosts) comes from stack config. Adding an app is one file there plus its
 * lines in `Pulumi.<stack>.yaml`; `npm run import` writes both from a Kustomize tree or
 * ingress-nginx's ConfigMaps.
 */
import type { RoutePath } from "./vocabulary";


/** A value the container reads from a Pulumi config secret, through a Kubernetes Secret. */
export interface SecretEnv {
    /** Environment variable name inside the container. */
    env: string;
    /** Pulumi config key (in this project's namespace) that holds the secret value. */
    configKey: string;
    /** Refuse the stack when the secret is missing (otherwise the variable is left out). */
    required: boolean;
}

/**
 * How an image is told the port to listen on: a command-line flag (`--port 8080`, or joined:
 * `--port=3306`) or an environment variable. The program always tells it, so the port the
 * process listens on is the containerPort, the Service's targetPort and the NetworkPolicy's port.
 */
export type PortContract = { arg: string; joined?: boolean } | { env: string };

/** How an image serves TLS itself (for SNI passthrough, where Traefik never opens the stream). */
export interface TlsServerContract {
    /** Where the `kubernetes.io/tls` Secret (tls.crt, tls.key) is mounted. */
    mountPath: string;
    /**
     * Arguments that make the server serve TLS, besides its port; `{cert}` and `{key}` stand for
     * the mounted files (`<mountPath>/tls.crt`, `<mountPath>/tls.key`).
     */
    args: string[];
    /** The port flag while serving TLS, when it is not the plain one (redis: --tls-port). */
    port?: PortContract;
}

/** An app that keeps data: a StatefulSet with one PersistentVolumeClaim per replica. */
export interface StorageContract {
    /** Where the claim is mounted: the image's data directory. */
    mountPath: string;
    /**
     * One primary and no replication: every replica would be a separate, empty database behind
     * one Service, so more than one replica is refused.
     */
    singlePrimary: boolean;
}

/** One container of an app; the seed's apps all have exactly one. */
export interface ContainerSpec {
    /** Container name (`proxy` in the seed). */
    name: string;
    /** Image reference, or a placeholder that stack config's `images` must map. */
    image: string;
    /** True when `image` is a logical name (the seed's `tcp-echo-server`), not a pullable image. */
    placeholder: boolean;
    /** Port the process listens on inside the pod. */
    port: number;
    /** How the image is told `port`; absent when the image listens on it by itself (an imported app keeps its own arguments). */
    listen?: PortContract;
    /** The container's command, in place of the image's entrypoint. */
    command?: string[];
    /** Container arguments before the port's; `$(VAR)` expands from the environment. */
    args?: string[];
    /** Plain environment variables. */
    env?: Record<string, string>;
    /** Environment variables filled from config secrets. */
    secretEnv?: SecretEnv[];
    /** UID the image runs as when it runs unprivileged; used for the pod security context. */
    runAsUser?: number;
    /** Whether the image runs with a read-only root filesystem. */
    readOnlyRootFilesystem?: boolean;
    /** Writable directories the image needs besides its data (emptyDir mounts). */
    writablePaths?: string[];
    /** How the image serves TLS; absent when it cannot. */
    tlsServer?: TlsServerContract;
}

interface AppBase {
    /** Namespace of every object of the app. */
    namespace: string;
    /** Deployment name (`tcp-echo-demo`). */
    deploymentName: string;
    /** Stem of the object names: `<stem>-service`, `<stem>-route` (the seed's rule), `<stem>-allow-ingress`, ... */
    stem: string;
    /** The Service's name when it is not `<stem>-service` (an imported app keeps its own). */
    serviceName?: string;
    /** The route's name when it is not `<stem>-route`. */
    routeName?: string;
    /** Labels that select the pods; never changed by an environment. */
    selector: Record<string, string>;
    /** Replicas when the stack says nothing (the seed's base has 10 for tcp-demo). */
    replicas: number;
    /** Service port name (`tcp` in the seed). */
    portName: string;
    /** Service port; the backend port the route points at. */
    servicePort: number;
    container: ContainerSpec;
    /** Keeps data (databases): a StatefulSet with claims, protected where the stack asks. */
    storage?: StorageContract;
}

/** A TCP app routed by an IngressRouteTCP. */
export interface TcpAppSpec extends AppBase {
    kind: "tcp";
    /** The app is reached by SNI with TLS passthrough unless the stack says otherwise; absent for plain TCP. */
    tls?: { passthrough: true };
}

/**
 * A UDP app routed by an IngressRouteUDP on a UDP entryPoint of its own. UDP has no host name to
 * match, so one entryPoint serves one app, and Traefik has no UDP middlewares.
 */
export interface UdpAppSpec extends AppBase {
    kind: "udp";
}

/** An HTTP app routed by an Ingress on Traefik's `web` entryPoint. */
export interface HttpAppSpec extends AppBase {
    kind: "http";
    /** HTTP path prefix the Ingress routes. */
    path: RoutePath;
}

export type AppSpec = TcpAppSpec | UdpAppSpec | HttpAppSpec;

/** TLS on an SNI route: passthrough to the backend, or termination with a Secret in the app's namespace. */
export type TlsSpec = { passthrough: true } | { secretName: string };

/** Apps by id: what each app is. Passed to validation and planning, so a caller may extend it. */
export type Catalog = Readonly<Record<string, AppSpec>>;

/** The catalog entry of `id`; never a property that every JavaScript object has (`constructor`, `__proto__`). */
export function catalogEntry(catalog: Catalog, id: string): AppSpec | undefined {
    return Object.hasOwn(catalog, id) ? catalog[id] : undefined;
}
