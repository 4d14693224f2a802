/**
 * What an import writes: app definitions (catalog files) and stack files, each value with a
 * comment saying where it came from, and what each stack's render must hold (the objects users
 * run, Traefik's ports). Assembling a stack takes the labels every app's objects share as the
 * stack's `labels`, the rest as each app's own, and one `images` mapping per image name.
 */
import type { AppSpec } from "../catalog";
import type { AppConfigInput, ImageMappingInput } from "../config/schema";
import { PROJECT } from "../constants";
import type { Problem } from "../problems";
import type { DeclaredPort } from "./argocd";
import { refusal, Sourced } from "./objects";

/** A comment on the value at `path` (keys and list indexes from the document's root). */
export interface Comment {
    path: (string | number)[];
    text: string;
}

/** An app definition the import writes, or one the catalog has already and the import keeps. */
export interface ImportedApp {
    id: string;
    spec: AppSpec;
    existing: boolean;
    /** The catalog file's first lines: what it was imported from. */
    header: string[];
    comments: Comment[];
}

/** One app of one stack: its entry, the labels of each of its objects, its image mapping, and comments on the entry's keys. */
export interface StackApp {
    id: string;
    config: AppConfigInput;
    labels: Record<string, string>[];
    /** The labels its selector has (the catalog's and the stack's selector labels): never stack labels. */
    selectorKeys: string[];
    image?: { mapping: ImageMappingInput; comment: string };
    comments: Comment[];
}

/** A stack file the import writes, and what its render must hold. */
export interface ImportedStack {
    name: string;
    header: string[];
    document: Record<string, unknown>;
    comments: Comment[];
    /** Objects users run that the render must hold, field for field. */
    expected: Sourced[];
    /** Traefik's extra entryPoints as they are declared today: the render's must equal them. */
    ports: Record<string, DeclaredPort>;
}

const key = (name: string) => `${PROJECT}:${name}`;

/** Labels every one of `maps` has with the same value. */
function shared(maps: Record<string, string>[]): Record<string, string> {
    const [first, ...rest] = maps;
    return Object.fromEntries(Object.entries(first ?? {}).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

/**
 * A stack from its apps: common labels, the apps' own, one image mapping per name (two apps that
 * map one name two ways are refused), and the Traefik settings given.
 */
export function assembleStack(
    name: string, apps: StackApp[], traefik: { config: Record<string, unknown>; comments: Comment[] }, at: string,
): { document: Record<string, unknown>; comments: Comment[] } | Problem[] {
    const selectorKeys = new Set(apps.flatMap((a) => a.selectorKeys));
    const common = Object.fromEntries(Object.entries(shared(apps.flatMap((a) => a.labels))).filter(([k]) => !selectorKeys.has(k)));
    const images = new Map<string, { mapping: ImageMappingInput; comment: string; app: string }>();
    const problems: Problem[] = [];
    for (const app of apps) {
        const image = app.image;
        if (!image) {
            continue;
        }
        const earlier = images.get(image.mapping.name);
        if (earlier && JSON.stringify(earlier.mapping) !== JSON.stringify(image.mapping)) {
            problems.push(refusal(at, `maps image ${image.mapping.name} two ways (apps ${earlier.app} and ${app.id}): a stack maps an image name one way`, "give the two apps images of different names in the catalog", image.mapping));
        } else {
            images.set(image.mapping.name, { ...image, app: app.id });
        }
    }
    if (problems.length > 0) {
        return problems;
    }
    const comments: Comment[] = [...traefik.comments];
    const appsDoc: Record<string, AppConfigInput> = {};
    for (const app of apps) {
        const own = Object.fromEntries(app.labels.flatMap((l) => Object.entries(l)).filter(([k]) => !(k in common)));
        appsDoc[app.id] = { ...app.config, ...(Object.keys(own).length > 0 ? { labels: own } : {}) };
        comments.push(...app.comments.map((c) => ({ ...c, path: ["config", key("apps"), app.id, ...c.path] })));
    }
    const imageList = [...images.values()];
    imageList.forEach((image, i) => comments.push({ path: ["config", key("images"), i], text: image.comment }));
    if (Object.keys(common).length > 0) {
        comments.push({ path: ["config", key("labels")], text: `on every object of every app of stack ${name} (the stack puts them on Traefik's objects too)` });
    }
    return {
        document: {
            config: {
                ...(Object.keys(common).length > 0 ? { [key("labels")]: common } : {}),
                ...(imageList.length > 0 ? { [key("images")]: imageList.map((i) => i.mapping) } : {}),
                [key("traefik")]: traefik.config,
                [key("apps")]: appsDoc,
            },
        },
        comments,
    };
}
