/**
 * The app catalog as data: the schema of one `catalog/<id>.yaml` (what an app *is*), and the
 * reading of a catalog directory. Every file is checked at once; each problem names the file, the
 * key, the value and the fix, in the stack configuration's error style.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import type { AppSpec, Catalog, PortContract } from "../catalog";
import { ConfigError, Problem } from "../problems";
import { routePath } from "../vocabulary";
import { labelsSchema } from "./kubernetesNames";
import { dnsLabel, dnsSubdomain, matching, port, replicas, term } from "./primitives";
import { schemaProblems } from "./schemaProblems";
import { readYamlText } from "./yamlInput";

const envName = matching(/^[A-Za-z_][A-Za-z0-9_]*$/, "is not an environment variable name", "use letters, digits and '_', not starting with a digit");
const absolutePath = matching(/^\/[^\0]*$/, "is not an absolute path", "write a path inside the container, starting with /");

/** `{arg: --port}` (`joined: true` for `--port=3306`) or `{env: PORT}`: exactly one. */
const portContract = z.strictObject({ arg: z.string().min(1).optional(), joined: z.boolean().optional(), env: envName.optional() })
    .refine((c) => (c.arg === undefined) !== (c.env === undefined) && !(c.env !== undefined && c.joined !== undefined), {
        message: "is not a way to tell an image its port",
        params: { fix: "write {arg: <flag>} (with joined: true for --flag=<port>) or {env: <VARIABLE>}" },
    })
    .transform((c): PortContract => (c.env !== undefined ? { env: c.env } : { arg: c.arg!, ...(c.joined !== undefined ? { joined: c.joined } : {}) }));

/** What `{...}` may stand for in a TLS server's arguments. */
const TLS_FILE_PLACEHOLDERS = ["cert", "key"];

const tlsArgument = z.string().refine((arg) => [...arg.matchAll(/\{([^}]*)\}/g)].every(([, name]) => TLS_FILE_PLACEHOLDERS.includes(name)), {
    message: "names a file other than {cert} and {key}",
    params: { fix: "write {cert} for the mounted certificate and {key} for its key; nothing else in braces" },
});

const containerSchema = z.strictObject({
    name: matching(dnsLabel, "is not a container name", "use lowercase letters, digits and '-'"),
    image: z.string().min(1),
    placeholder: z.boolean().default(false),
    port,
    /** Absent: the image listens on `port` by itself (its command, arguments or environment say so). */
    listen: portContract.optional(),
    command: z.array(z.string()).min(1).optional(),
    args: z.array(z.string()).optional(),
    env: z.record(envName, z.string()).optional(),
    secretEnv: z.array(z.strictObject({
        env: envName,
        configKey: matching(/^[a-z][A-Za-z0-9]*$/, "is not a config key for a secret", "write a key such as mysqlRootPassword"),
        required: z.boolean(),
    })).optional(),
    runAsUser: z.number().int().min(1).optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    writablePaths: z.array(absolutePath).optional(),
    tlsServer: z.strictObject({ mountPath: absolutePath, args: z.array(tlsArgument), port: portContract.optional() }).optional(),
});

const selectorSchema = labelsSchema.refine((s) => Object.keys(s).length > 0, { message: "selects no pods", params: { fix: "give the app at least one label, e.g. {app: <name>}" } });

const baseShape = {
    namespace: matching(dnsLabel, "is not a namespace name", "use lowercase letters, digits and '-'"),
    deploymentName: matching(dnsSubdomain, "is not a Kubernetes object name", "use lowercase letters, digits, '-' and '.'"),
    stem: matching(dnsLabel, "is not a name stem", "use lowercase letters, digits and '-': the Service is <stem>-service"),
    /** Names that do not follow the seed's `<stem>-service` / `<stem>-route` (an imported app keeps its own). */
    serviceName: matching(dnsLabel, "is not a Service name", "use lowercase letters, digits and '-' (at most 63)").optional(),
    routeName: matching(dnsSubdomain, "is not a Kubernetes object name", "use lowercase letters, digits, '-' and '.'").optional(),
    selector: selectorSchema,
    replicas,
    portName: matching(/^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/, "is not a Service port name", "use at most 15 lowercase letters, digits and '-'"),
    servicePort: port,
    container: containerSchema,
    storage: z.strictObject({ mountPath: absolutePath, singlePrimary: z.boolean() }).optional(),
};

const kindSchemas = {
    tcp: z.strictObject({ kind: z.literal("tcp"), ...baseShape, tls: z.strictObject({ passthrough: z.literal(true) }).optional() }),
    udp: z.strictObject({ kind: z.literal("udp"), ...baseShape }),
    http: z.strictObject({ kind: z.literal("http"), ...baseShape, path: term(routePath) }),
};

// The schema's output is an AppSpec: a change to either that breaks this is a type error here.
const asAppSpec = (parsed: z.infer<(typeof kindSchemas)[keyof typeof kindSchemas]>): AppSpec => parsed;

const appId = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** One app definition (the parsed YAML of `file`) as an AppSpec, or its problems. */
export function parseAppDefinition(file: string, value: unknown): AppSpec | Problem[] {
    const root = `${file}: `;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return [{ path: file, value, problem: "is not a mapping", fix: "write the app's definition as a mapping (kind, namespace, deploymentName, ...): see catalog/tcp-demo.yaml" }];
    }
    const kind = (value as { kind?: unknown }).kind;
    if (typeof kind !== "string" || !Object.hasOwn(kindSchemas, kind)) {
        return [{ path: `${root}kind`, value: kind, problem: kind === undefined ? "is required" : "is not a kind of app", fix: `write one of ${Object.keys(kindSchemas).join(", ")}` }];
    }
    const schema = kindSchemas[kind as keyof typeof kindSchemas];
    const parsed = schema.safeParse(value);
    return parsed.success ? asAppSpec(parsed.data) : schemaProblems(schema, parsed.error, value as Record<string, unknown>, new Set(), root);
}

/** The catalog in `dir`: `<id>.yaml` per app, the id its file name. Refuses (ConfigError) a bad file, naming every problem. */
export function readCatalogDir(dir: string): Catalog {
    const shown = path.basename(dir);
    if (!fs.existsSync(dir)) {
        throw new ConfigError([{ path: shown, value: dir, problem: "does not exist", fix: "create it with one <id>.yaml per app (npm run import writes them)" }], catalogRefused);
    }
    const catalog: Record<string, AppSpec> = {};
    const problems: Problem[] = [];
    for (const name of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
        const file = `${shown}/${name}`;
        const id = name.replace(/\.ya?ml$/, "");
        if (!appId.test(id)) {
            problems.push({ path: file, value: id, problem: "is not an app id (the file's name is the app's id)", fix: "name the file <id>.yaml, the id in lowercase letters, digits and '-'" });
            continue;
        }
        if (Object.hasOwn(catalog, id)) {
            problems.push({ path: file, value: id, problem: "defines an app that another file of the catalog defines", fix: "keep one of <id>.yaml and <id>.yml" });
            continue;
        }
        const read = readYamlText(fs.readFileSync(path.join(dir, name), "utf8"), file);
        if (!read.ok) {
            problems.push(read.problem);
            continue;
        }
        const spec = parseAppDefinition(file, read.value);
        if (Array.isArray(spec)) {
            problems.push(...spec);
        } else {
            catalog[id] = spec;
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(problems, catalogRefused);
    }
    return catalog;
}

const catalogRefused = { subject: "the app catalog", outcome: "nothing was deployed" };
