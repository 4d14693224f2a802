/** Names that reach Kubernetes: common labels, the stack's own name, namespaces, the local chart. */
import { Catalog, catalogEntry } from "../catalog";
import { labelValueRefusal, objectNameRefusal } from "../config/kubernetesNames";
import { AppConfig, StackConfig } from "../config/schema";
import { PROJECT } from "../constants";
import { OWNER_LABEL_PREFIX, StackIdentity } from "../ownership";
import { ObjectRef, PlanDraft } from "../model";
import { Problem } from "../problems";
import { traefikSelectorKeys } from "../traefik/profile";

/**
 * A common label lands on pod templates; one whose key a selector uses would give the pods a
 * value the selector does not match (the API server refuses the Deployment, the Service selects
 * nothing). Traefik's chart selects its pods by the same kind of keys.
 */
function labelProblems(config: StackConfig, catalog: Catalog): Problem[] {
    const users = new Map<string, string[]>();
    const use = (key: string, who: string) => users.set(key, [...(users.get(key) ?? []), who]);
    for (const [id, app] of Object.entries(config.apps)) {
        for (const key of Object.keys({ ...catalogEntry(catalog, id)?.selector, ...app.selectorLabels })) {
            use(key, `app ${id}`);
        }
    }
    for (const key of traefikSelectorKeys) {
        use(key, "Traefik");
    }
    const keys = Object.keys(config.labels);
    return [
        ...Object.entries(config.apps).flatMap(([id, app]) => appLabelProblems(id, app, catalogEntry(catalog, id)?.selector ?? {})),
        ...keys.filter((key) => users.has(key)).map((key) => ({
            path: `${PROJECT}:labels.${key}`,
            value: config.labels[key],
            problem: `is a label key that selectors use (${(users.get(key) ?? []).join(", ")}): on the pod templates it would break those selectors`,
            fix: `rename the label (e.g. team, or example.com/${key.replace(/^.*\//, "")})`,
        })),
        ...keys.filter((key) => key.startsWith(OWNER_LABEL_PREFIX)).map((key) => ({
            path: `${PROJECT}:labels.${key}`,
            value: config.labels[key],
            problem: `is a label key the program keeps for ownership (${OWNER_LABEL_PREFIX}project, ${OWNER_LABEL_PREFIX}stack: which stack owns an object)`,
            fix: `rename the label; the program sets ${OWNER_LABEL_PREFIX}stack to the stack's name itself`,
        })),
    ];
}

/**
 * An app's own labels and selector labels: neither may take a key its selector already has (its
 * pods would not match, or the catalog's selector would change), nor an ownership key.
 */
function appLabelProblems(id: string, app: AppConfig, catalogSelector: Record<string, string>): Problem[] {
    const at = `${PROJECT}:apps.${id}`;
    const selector = { ...catalogSelector, ...app.selectorLabels };
    const owned = (key: string) => key.startsWith(OWNER_LABEL_PREFIX);
    return [
        ...Object.keys(app.labels ?? {}).filter((key) => key in selector || owned(key)).map((key) => ({
            path: `${at}.labels.${key}`, value: app.labels?.[key],
            problem: owned(key) ? `is a label key the program keeps for ownership (${OWNER_LABEL_PREFIX}project, ${OWNER_LABEL_PREFIX}stack)` : `is a key of app ${id}'s selector: on its pods it would break that selector`,
            fix: owned(key) ? "rename the label" : `rename the label, or put it in selectorLabels if the pods are to be selected by it`,
        })),
        ...Object.keys(app.selectorLabels ?? {}).filter((key) => key in catalogSelector || owned(key)).map((key) => ({
            path: `${at}.selectorLabels.${key}`, value: app.selectorLabels?.[key],
            problem: owned(key) ? `is a label key the program keeps for ownership (${OWNER_LABEL_PREFIX}project, ${OWNER_LABEL_PREFIX}stack)` : `is already a key of app ${id}'s selector in the catalog (${key}: ${catalogSelector[key]})`,
            fix: "choose another key: selector labels are added to the catalog's, never change them",
        })),
    ];
}

/** The stack's own names, which every object carries as ownership label values. */
function identityProblems(config: StackConfig): Problem[] {
    return (Object.entries(config.identity) as [keyof StackIdentity, string][]).flatMap(([key, value]) =>
        value !== "" && labelValueRefusal(value) === undefined ? [] : [{
            path: `the ${key} name`, value,
            problem: `is not a Kubernetes label value, and every object carries it in ${OWNER_LABEL_PREFIX}${key}`,
            fix: `rename the ${key} to at most 63 letters, digits, '-', '_' or '.'`,
        }]);
}

/** The config key that made a planned name: an app's namePrefix or nameSuffix, the namespaceSuffix, or the key that brings the object in. */
function nameSource(config: StackConfig, ref: ObjectRef): { path: string; value: unknown } {
    const app = /^tcp-platform:apps\.([^.]+)/.exec(ref.path)?.[1];
    const affix = app !== undefined ? config.apps[app] : undefined;
    if (affix && (affix.namePrefix !== undefined || affix.nameSuffix !== undefined) && ref.kind !== "Namespace") {
        const key = affix.namePrefix !== undefined ? "namePrefix" : "nameSuffix";
        return { path: `${PROJECT}:apps.${app}.${key}`, value: affix[key] };
    }
    if (config.namespaceSuffix !== "" && (ref.kind === "Namespace" || ref.namespace?.endsWith(config.namespaceSuffix))) {
        return { path: `${PROJECT}:namespaceSuffix`, value: config.namespaceSuffix };
    }
    return { path: ref.path, value: ref.name };
}

/** Every planned object's name and namespace, with prefixes and suffixes applied, to the API server's rules for its kind. */
function objectNameProblems(plan: PlanDraft): Problem[] {
    const seen = new Set<string>();
    const problems: Problem[] = [];
    const check = (ref: ObjectRef, kind: string, name: string) => {
        const refusal = objectNameRefusal(kind, name);
        const key = `${kind}/${name}`;
        if (refusal && !seen.has(key)) {
            seen.add(key);
            problems.push({ ...nameSource(plan.config, ref), problem: `makes the ${kind} name "${name}", which ${refusal.problem}`, fix: refusal.fix });
        }
    };
    for (const ref of plan.objects) {
        if (ref.namespace !== undefined) {
            check({ ...ref, kind: "Namespace", name: ref.namespace }, "Namespace", ref.namespace);
        }
        check(ref, ref.kind, ref.name);
    }
    return problems;
}

function chartProblems(config: StackConfig): Problem[] {
    const { chart } = config.traefik;
    return chart.path !== undefined && !chart.pathExists
        ? [{ path: `${PROJECT}:traefik.chart.path`, value: chart.path, problem: "does not exist", fix: "point it at a chart directory or .tgz archive (paths are relative to the project directory)" }]
        : [];
}

export function nameProblems(plan: PlanDraft): Problem[] {
    return [...labelProblems(plan.config, plan.catalog), ...identityProblems(plan.config), ...objectNameProblems(plan), ...chartProblems(plan.config)];
}
