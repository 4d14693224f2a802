/**
 * The app catalog: what each app *is* (names, selector, container and how its image is told its
 * port, TLS and data directory). Everything an environment changes (replicas, resources, images,
 * labels, entryPoints, hosts) comes from stack config. Adding an app is one entry here plus its
 * lines in `Pulumi.<stack>.yaml`.
 */

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
    /** Arguments that make the server serve TLS with those files, besides its port. */
    args: (files: { cert: string; key: string }) => string[];
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
    /** How the image is told `port`. */
    listen: PortContract;
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
    /** Stem of the Service and route names: `<stem>-service`, `<stem>-route` (the seed's rule). */
    stem: string;
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
    path: string;
}

export type AppSpec = TcpAppSpec | UdpAppSpec | HttpAppSpec;

/** TLS on an SNI route: passthrough to the backend, or termination with a Secret in the app's namespace. */
export type TlsSpec = { passthrough: true } | { secretName: string };

const backend = "backend";

/** Where a passthrough app's certificate Secret is mounted. */
const tlsMount = "/tls";

/**
 * Redis as redis-demo and cache run it: a cache, in memory only (no snapshot, no append-only
 * file), with an optional password. The password reaches redis through the environment, never
 * through arguments in the spec; the shell passes every other argument on as given. Protected
 * mode (remote clients refused when there is no password) is off, as the upstream image builds
 * it: Traefik is a remote client, and the NetworkPolicy is what admits only Traefik.
 */
const redisContainer: ContainerSpec = {
    name: "redis",
    image: "redis:7.4.2",
    placeholder: false,
    port: 6379,
    listen: { arg: "--port" },
    args: ["sh", "-c", 'exec redis-server "$@" ${REDIS_PASSWORD:+--requirepass "$REDIS_PASSWORD"}', "redis-server", "--save", "", "--appendonly", "no", "--protected-mode", "no"],
    secretEnv: [{ env: "REDIS_PASSWORD", configKey: "redisPassword", required: false }],
    runAsUser: 999,
    readOnlyRootFilesystem: true,
    writablePaths: ["/data"],
    tlsServer: {
        mountPath: tlsMount,
        // TLS only: the plain port is closed, clients must present no certificate of their own.
        args: ({ cert, key }) => ["--port", "0", "--tls-cert-file", cert, "--tls-key-file", key, "--tls-auth-clients", "no"],
        port: { arg: "--tls-port" },
    },
};

/** Apps by id: what each app is. Passed to validation and planning, so a caller may extend it. */
export type Catalog = Readonly<Record<string, AppSpec>>;

/** The project's apps. */
export const catalog: Catalog = {
    "tcp-demo": {
        kind: "tcp",
        namespace: backend,
        deploymentName: "tcp-echo-demo",
        stem: "tcp-echo",
        selector: { app: "tcp-echo" },
        replicas: 10,
        portName: "tcp",
        servicePort: 3333,
        // The image behind the placeholder reads its port from PORT (the project's echo image does).
        container: { name: "proxy", image: "tcp-echo-server", placeholder: true, port: 3333, listen: { env: "PORT" } },
    },
    "redis-demo": {
        kind: "tcp",
        namespace: backend,
        deploymentName: "redis-demo",
        stem: "redis",
        selector: { app: "redis" },
        replicas: 1,
        portName: "redis",
        servicePort: 6379,
        container: redisContainer,
    },
    "mysql-demo": {
        kind: "tcp",
        namespace: backend,
        deploymentName: "mysql-demo",
        stem: "mysql",
        selector: { app: "mysql" },
        replicas: 1,
        portName: "mysql",
        servicePort: 3306,
        container: {
            name: "mysql",
            image: "mysql:8.4.3",
            placeholder: false,
            port: 3306,
            // The image's entrypoint runs mysqld with arguments that start with "-".
            listen: { arg: "--port", joined: true },
            secretEnv: [{ env: "MYSQL_ROOT_PASSWORD", configKey: "mysqlRootPassword", required: true }],
            runAsUser: 999,
            readOnlyRootFilesystem: true,
            writablePaths: ["/var/run/mysqld", "/tmp"],
        },
        storage: { mountPath: "/var/lib/mysql", singlePrimary: true },
    },
    // The seed's solution B pair: TLS clients that send SNI share `websecure`.
    db: {
        kind: "tcp",
        namespace: backend,
        deploymentName: "db",
        stem: "db",
        selector: { app: "db" },
        replicas: 1,
        portName: "postgres",
        servicePort: 5432,
        container: {
            name: "postgres",
            image: "postgres:17.2",
            placeholder: false,
            port: 5432,
            // The image's entrypoint runs postgres with arguments that start with "-".
            listen: { arg: "-p" },
            // A subdirectory of the claim: initdb refuses a mount point that holds lost+found.
            env: { PGDATA: "/var/lib/postgresql/data/pgdata" },
            secretEnv: [{ env: "POSTGRES_PASSWORD", configKey: "dbPassword", required: true }],
            runAsUser: 999,
            readOnlyRootFilesystem: true,
            writablePaths: ["/var/run/postgresql", "/tmp"],
            tlsServer: {
                mountPath: tlsMount,
                args: ({ cert, key }) => ["-c", "ssl=on", "-c", `ssl_cert_file=${cert}`, "-c", `ssl_key_file=${key}`],
            },
        },
        storage: { mountPath: "/var/lib/postgresql/data", singlePrimary: true },
        tls: { passthrough: true },
    },
    cache: {
        kind: "tcp",
        namespace: backend,
        deploymentName: "cache",
        stem: "cache",
        selector: { app: "cache" },
        replicas: 1,
        portName: "redis",
        servicePort: 6379,
        container: redisContainer,
        tls: { passthrough: true },
    },
    "hello-api": {
        kind: "http",
        namespace: backend,
        deploymentName: "hello-api",
        stem: "hello-api",
        selector: { app: "hello-api" },
        replicas: 2,
        portName: "http",
        servicePort: 80,
        path: "/",
        // traefik/whoami listens on 80 unless told otherwise; any image mapped here must take --port.
        container: { name: "api", image: "hello-api-server", placeholder: true, port: 8080, listen: { arg: "--port" } },
    },
    // CoreDNS without a Corefile serves its default: `whoami` (the answer names the client's
    // address and port) and `log`, on the port -dns.port names.
    "dns-demo": {
        kind: "udp",
        namespace: backend,
        deploymentName: "dns-demo",
        stem: "dns",
        selector: { app: "dns" },
        replicas: 1,
        portName: "dns",
        servicePort: 53,
        container: { name: "coredns", image: "coredns/coredns:1.12.1", placeholder: false, port: 5353, listen: { arg: "-dns.port" } },
    },
};

/** The catalog entry of `id`; never a property that every JavaScript object has (`constructor`, `__proto__`). */
export function catalogEntry(catalog: Catalog, id: string): AppSpec | undefined {
    return Object.hasOwn(catalog, id) ? catalog[id] : undefined;
}
