/**
 * The app catalog: what each app *is*, the part the seed kept in `base/`. Everything an
 * environment changes (replicas, resources, images, labels, entryPoints, hosts) comes from
 * stack config instead. Adding an app is one entry here plus its lines in `Pulumi.<stack>.yaml`.
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
    /** Extra container arguments; `$(VAR)` expands from the environment. */
    args?: string[];
    /** Plain environment variables. */
    env?: Record<string, string>;
    /** Environment variables filled from config secrets. */
    secretEnv?: SecretEnv[];
    /** UID the image runs as when it runs unprivileged; used for the pod security context. */
    runAsUser?: number;
    /** Whether the image runs with a read-only root filesystem. */
    readOnlyRootFilesystem?: boolean;
    /** Writable directories the image needs (emptyDir mounts). */
    writablePaths?: string[];
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
    /** Holds data (databases): protected from deletion where the stack asks for it. */
    stateful: boolean;
}

/** A TCP app routed by an IngressRouteTCP. */
export interface TcpAppSpec extends AppBase {
    kind: "tcp";
    /** TLS mode when the app is reached by SNI; absent for plain TCP. A stack may override it. */
    tls?: TlsSpec;
}

/** An HTTP app routed by an Ingress on Traefik's `web` entryPoint. */
export interface HttpAppSpec extends AppBase {
    kind: "http";
    /** HTTP path prefix the Ingress routes. */
    path: string;
}

export type AppSpec = TcpAppSpec | HttpAppSpec;

/** TLS on an SNI route: passthrough to the backend, or termination with a Secret in the app's namespace. */
export type TlsSpec = { passthrough: true } | { secretName: string };

const backend = "backend";

/** Redis as redis-demo and cache run it: in memory only, with an optional password. */
const redisContainer: ContainerSpec = {
    name: "redis",
    image: "redis:7.4.2",
    placeholder: false,
    port: 6379,
    // The password reaches redis through the environment, never through args in the spec.
    args: ["sh", "-c", 'exec redis-server --save "" --appendonly no ${REDIS_PASSWORD:+--requirepass "$REDIS_PASSWORD"}'],
    secretEnv: [{ env: "REDIS_PASSWORD", configKey: "redisPassword", required: false }],
    runAsUser: 999,
    readOnlyRootFilesystem: true,
    writablePaths: ["/data"],
};

export const catalog: Readonly<Record<string, AppSpec>> = {
    "tcp-demo": {
        kind: "tcp",
        namespace: backend,
        deploymentName: "tcp-echo-demo",
        stem: "tcp-echo",
        selector: { app: "tcp-echo" },
        replicas: 10,
        portName: "tcp",
        servicePort: 3333,
        container: { name: "proxy", image: "tcp-echo-server", placeholder: true, port: 3333 },
        stateful: false,
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
        stateful: false,
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
            secretEnv: [{ env: "MYSQL_ROOT_PASSWORD", configKey: "mysqlRootPassword", required: true }],
            runAsUser: 999,
            readOnlyRootFilesystem: true,
            writablePaths: ["/var/lib/mysql", "/var/run/mysqld", "/tmp"],
        },
        stateful: true,
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
            secretEnv: [{ env: "POSTGRES_PASSWORD", configKey: "dbPassword", required: true }],
            runAsUser: 999,
            readOnlyRootFilesystem: true,
            writablePaths: ["/var/lib/postgresql/data", "/var/run/postgresql", "/tmp"],
        },
        tls: { passthrough: true },
        stateful: true,
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
        stateful: false,
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
        container: { name: "api", image: "hello-api-server", placeholder: true, port: 8080 },
        stateful: false,
    },
};

/** Kubernetes names derived from an app's stem, as the seed names them. */
export function objectNames(app: AppSpec): { deployment: string; service: string; route: string; secret: string; networkPolicy: string } {
    return {
        deployment: app.deploymentName,
        service: `${app.stem}-service`,
        route: `${app.stem}-route`,
        secret: `${app.stem}-credentials`,
        networkPolicy: `${app.stem}-allow-ingress`,
    };
}
