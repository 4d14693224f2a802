/**
 * A Kustomize + Argo CD tree as the catalog and stacks describe it, from what `kubectl kustomize`
 * built of each overlay (tools/importKustomize.ts builds them): an app per overlay directory's app,
 * a stack per environment, Traefik's settings and ports from the Argo CD Application. Pure: the
 * builds come in as objects with their sources.
 */
import type { AppSpec, Catalog } from "../catalog";
import type { ImageMappingInput } from "../config/schema";
import type { NameAffix } from "../plan/names";
import type { Problem } from "../problems";
import { appSpecOf, envSettings } from "./appMapping";
import type { DeclaredPort, TraefikImport } from "./argocd";
import { AppGroup, groupApps, groupObjects } from "./groups";
import { describe, field, refusal, ROUTE_KINDS, Sourced, stringMap } from "./objects";
import { appHeader, entryPointConfig, objectLines } from "./provenance";
import { assembleStack, Comment, ImportedApp, ImportedStack, StackApp } from "./stacks";
import { unmapImage } from "../images";

/** One overlay as `kubectl kustomize` built it. */
export interface OverlayBuild {
    /** The app's directory and the overlay's, relative to the tree (`apps/backend/tcp-demo`, `.../overlays/development`). */
    appDir: string;
    overlay: string;
    env: string;
    objects: Sourced[];
    /** namePrefix and nameSuffix of the overlay's own kustomizations (not its bases'). */
    affix: NameAffix;
    /** The `images:` entries of the overlay's own kustomizations, with where each is written. */
    images: { mapping: ImageMappingInput; at: string }[];
}

export interface KustomizeImport {
    builds: OverlayBuild[];
    traefik: TraefikImport;
    /** Environment (overlay name) → stack name. */
    stacks: Record<string, string>;
    /** entryPoint → a catalog app that serves it, for Application ports no overlay's app binds. */
    serve: Record<string, string>;
    /** The catalog the import adds to: an app already there is kept when it renders the builds. */
    catalog: Catalog;
    /** Why a port no imported app binds may be so (a route in a file no overlay builds). */
    unbuiltRoutes: { entryPoint: string; where: string }[];
}

interface EnvApp {
    id: string;
    build: OverlayBuild;
    group: AppGroup;
}

const basename = (dir: string) => dir.split("/").pop() ?? dir;

/** The catalog entry for an app: the catalog's when it has one, else what its first overlay's build makes. */
function specFor(id: string, envs: EnvApp[], catalog: Catalog): { spec: AppSpec; existing: boolean; comments: Comment[] } | Problem[] {
    if (Object.hasOwn(catalog, id)) {
        return { spec: catalog[id], existing: true, comments: [] };
    }
    const [first] = envs;
    const builtImage = (e: EnvApp) => String(field(e.group.workload.object, "spec", "template", "spec", "containers", 0, "image"));
    const mapped = unmapImage(builtImage(first), first.build.images.map((i) => i.mapping));
    // A placeholder: a name every overlay maps to an image of its own, never run as it is.
    const placeholder = mapped !== undefined && envs.every((e) => unmapImage(builtImage(e), e.build.images.map((i) => i.mapping))?.image === mapped.image);
    const image = { image: mapped?.image ?? builtImage(first), placeholder };
    const made = appSpecOf(first.group, first.build.affix, image);
    if (Array.isArray(made)) {
        return made;
    }
    // What every environment selects the pods by is the app's; the rest is an environment's (commonLabels).
    const selectors = envs.map((e) => stringMap(field(e.group.workload.object, "spec", "selector", "matchLabels")) ?? {});
    const spec = { ...made, selector: Object.fromEntries(Object.entries(made.selector).filter(([k, v]) => selectors.every((s) => s[k] === v))) };
    const comments: Comment[] = [
        { path: ["selector"], text: `spec.selector.matchLabels of ${describe(first.group.workload.object)}` },
        { path: ["replicas"], text: `spec.replicas of the ${first.build.env} build (each stack sets its own)` },
        { path: ["servicePort"], text: `the port of ${describe(first.group.service.object)}; the container port it sends to is container.port` },
        { path: ["container", "image"], text: mapped ? `the name ${first.build.images[mapped.mapping].at} maps (${image.placeholder ? "every overlay maps it: a placeholder" : "not every overlay maps it"})` : `the image of the ${first.build.env} build` },
    ];
    return { spec, existing: false, comments };
}

/** One app in one stack: its entry from its build, its entryPoint from the route and the Application's ports. */
function stackApp(env: EnvApp, spec: AppSpec, ports: Record<string, DeclaredPort>, traefik: TraefikImport): StackApp | Problem[] {
    const settings = envSettings(spec, env.group, env.build.affix);
    if (Array.isArray(settings)) {
        return settings;
    }
    const route = env.group.route!;
    const name = String(field(route.object, "spec", "entryPoints", 0));
    const declared = ports[name];
    const protocol = route.object.kind === "IngressRouteUDP" ? "UDP" : "TCP";
    if (!declared || declared.protocol !== protocol) {
        return [refusal(route, `binds entryPoint ${name}, which ${traefik.application.source.file} (${describe(traefik.application.object)}) does not declare as a ${protocol} port in its values' ports`,
            `declare ports.${name} in the Application's values (Traefik listens only on the ports it declares)`, name)];
    }
    const { workload } = env.group;
    const container = field(workload.object, "spec", "template", "spec", "containers", 0, "name");
    const comments: Comment[] = [{ path: ["entryPoint"], text: `${describe(route.object)} binds ${name} (spec.entryPoints); ports: ${traefik.application.source.file} values.ports.${name}` }];
    const note = (key: string, text: string) => (key in settings.app ? [comments.push({ path: [key], text })] : []);
    note("replicas", `spec.replicas of ${describe(workload.object)}`);
    note("resources", `resources of container ${String(container)} of ${describe(workload.object)}`);
    note("selectorLabels", `labels the build adds to the selector and pods of ${describe(workload.object)} (Kustomize commonLabels): fixed for the app's life`);
    note("namePrefix", `${env.build.overlay}'s namePrefix: every name of the app's objects carries it`);
    note("nameSuffix", `${env.build.overlay}'s nameSuffix: every name of the app's objects carries it`);
    const imageAt = settings.image && env.build.images.find((i) => JSON.stringify(i.mapping) === JSON.stringify(settings.image));
    return {
        id: env.id,
        config: { ...settings.app, entryPoint: entryPointConfig(name, declared) },
        labels: settings.labels,
        selectorKeys: Object.keys({ ...spec.selector, ...settings.app.selectorLabels }),
        ...(settings.image ? { image: { mapping: settings.image, comment: imageAt ? `${imageAt.at} (${describe(workload.object)})` : `the image of ${describe(workload.object)} in the build of ${env.build.overlay}` } } : {}),
        comments,
    };
}

/** The apps of every build, by id: one app per app directory, or per Deployment where an overlay builds several. */
function envApps(builds: OverlayBuild[], problems: Problem[]): { apps: EnvApp[]; rest: Map<OverlayBuild, Sourced[]> } {
    const apps: EnvApp[] = [];
    const rest = new Map<OverlayBuild, Sourced[]>();
    for (const build of builds) {
        const grouped = groupApps(build.objects);
        problems.push(...grouped.problems);
        rest.set(build, grouped.rest);
        for (const group of grouped.groups) {
            const { prefix, suffix } = build.affix;
            const name = group.workload.object.metadata.name;
            const id = grouped.groups.length === 1 ? basename(build.appDir) : name.slice(prefix.length, name.length - suffix.length || undefined);
            const twin = apps.find((a) => a.id === id && a.build.env === build.env);
            if (twin) {
                problems.push(refusal(`${build.overlay}/kustomization.yaml`, `builds app ${id}, which ${twin.build.overlay} builds too: an app id is one app`, "give the app directories different names", id));
            } else {
                apps.push({ id, build, group });
            }
        }
    }
    return { apps, rest };
}

/** What the import writes for a tree, or why it cannot: every refusal at once. */
export function importKustomize(input: KustomizeImport): { apps: ImportedApp[]; stacks: ImportedStack[]; problems: Problem[] } {
    const problems: Problem[] = [];
    const { traefik } = input;
    const { apps: found, rest } = envApps(input.builds, problems);
    const imported: ImportedApp[] = [];
    const specs = new Map<string, AppSpec>();
    for (const id of [...new Set(found.map((a) => a.id))]) {
        const envs = found.filter((a) => a.id === id);
        const spec = specFor(id, envs, input.catalog);
        if (Array.isArray(spec)) {
            problems.push(...spec);
            continue;
        }
        specs.set(id, spec.spec);
        const [first] = envs;
        imported.push({ id, spec: spec.spec, existing: spec.existing, header: appHeader(id, "kustomize", first.build.overlay, groupObjects(first.group)), comments: spec.comments });
    }
    const stacks: ImportedStack[] = [];
    for (const [env, stackName] of Object.entries(input.stacks)) {
        const envs = found.filter((a) => a.build.env === env && specs.has(a.id));
        const apps: StackApp[] = [];
        for (const app of envs) {
            const mapped = stackApp(app, specs.get(app.id)!, traefik.ports, traefik);
            if (Array.isArray(mapped)) {
                problems.push(...mapped);
            } else {
                apps.push(mapped);
                mapped.comments.unshift({ path: [], text: [`${app.id}: kubectl kustomize ${app.build.overlay}`, ...objectLines(groupObjects(app.group))].join("\n") });
            }
        }
        // Bound by a route of the environment's builds, whether or not its app could be imported (that refusal says why).
        const bound = new Set(input.builds.filter((b) => b.env === env).flatMap((b) => b.objects)
            .filter((o) => (ROUTE_KINDS as readonly string[]).includes(o.object.kind)).flatMap((o) => (field(o.object, "spec", "entryPoints") as unknown[] | undefined) ?? []).map(String));
        for (const [entryPoint, declared] of Object.entries(traefik.ports)) {
            const server = input.serve[entryPoint];
            if (bound.has(entryPoint)) {
                continue;
            }
            if (server !== undefined && Object.hasOwn(input.catalog, server)) {
                apps.push({ id: server, config: { entryPoint: entryPointConfig(entryPoint, declared) }, labels: [], selectorKeys: Object.keys(input.catalog[server].selector),
                    comments: [{ path: [], text: `${server}: catalog/${server}.yaml serves ${entryPoint} (--serve ${entryPoint}=${server})` }, { path: ["entryPoint"], text: `${traefik.application.source.file} values.ports.${entryPoint}` }] });
                continue;
            }
            const hint = input.unbuiltRoutes.filter((r) => r.entryPoint === entryPoint).map((r) => ` (${r.where} binds it, but no overlay builds that file)`).join("");
            problems.push(refusal(traefik.application, `values.ports.${entryPoint}: no app of environment ${env}'s overlays binds it${hint}, and nothing serves it: Traefik would stop listening on ${declared.exposedPort}${declared.nodePort ? ` (NodePort ${declared.nodePort})` : ""}`,
                server !== undefined ? `--serve ${entryPoint}=${server} names no app of the catalog: name one (catalog/<id>.yaml)` : `add an overlay that builds the app, or name the catalog app that serves it: --serve ${entryPoint}=<id>`, declared));
        }
        const header = [`Stack ${stackName}: the ${env} overlays of a Kustomize tree and Argo CD's ${describe(traefik.application.object)} (${traefik.application.source.file}),`,
            "imported by `npm run import -- kustomize`. Each comment says where the value below it came from."];
        const assembled = assembleStack(stackName, apps, traefikSettings(traefik), `stack ${stackName}`);
        if (Array.isArray(assembled)) {
            problems.push(...assembled);
            continue;
        }
        const expected = [...envs.flatMap((a) => groupObjects(a.group)), ...[...rest].filter(([b]) => b.env === env).flatMap(([, objects]) => objects)];
        stacks.push({ name: stackName, header, ...assembled, expected, ports: traefik.ports });
    }
    return { apps: imported, stacks, problems };
}

/** The stack's `traefik` settings from the Application, with where each came from. */
function traefikSettings(traefik: TraefikImport): { config: Record<string, unknown>; comments: Comment[] } {
    const from = `${traefik.application.source.file} (${describe(traefik.application.object)})`;
    const at = (...path: string[]) => ["config", "tcp-platform:traefik", ...path];
    return {
        config: {
            chart: traefik.chart,
            releaseName: traefik.releaseName,
            ...(traefik.namespace ? { namespace: traefik.namespace } : {}),
            ...(traefik.serviceType ? { serviceType: traefik.serviceType } : {}),
            ...(traefik.resources ? { resources: traefik.resources } : {}),
        },
        comments: [
            { path: at("chart"), text: `spec.source (repoURL, targetRevision) of ${from}` },
            { path: at("releaseName"), text: "the release name Argo CD gave the chart (the Application's name): its objects keep their names, so the stack adopts them in place" },
            ...(traefik.serviceType ? [{ path: at("serviceType"), text: "values.service.type" }] : []),
            ...(traefik.namespace ? [{ path: at("namespace"), text: "spec.destination.namespace" }] : []),
            ...(traefik.resources ? [{ path: at("resources"), text: "values.resources" }] : []),
        ],
    };
}
