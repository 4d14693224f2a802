/** Names that reach Kubernetes: common labels, the stack's own name, namespaces, the local chart. */
import { Catalog, catalogEntry } from "../catalog";
import { dnsLabel, labelValue } from "../config/primitives";
import { AppConfig, StackConfig } from "../config/schema";
import { PROJECT } from "../constants";
import { OWNER_LABEL_PREFIX, StackIdentity } from "../ownership";
import { PlanDraft } from "../model";
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

/** Names that end up in Kubernetes: the stack's own (an ownership label value) and its namespaces. */
function namingProblems(config: StackConfig, catalog: Catalog): Problem[] {
    const problems: Problem[] = [];
    for (const [key, value] of Object.entries(config.identity) as [keyof StackIdentity, string][]) {
        if (!labelValue.test(value) || value === "") {
            problems.push({
                path: `the ${key} name`, value,
                problem: `is not a Kubernetes label value, and every object carries it in ${OWNER_LABEL_PREFIX}${key}`,
                fix: `rename the ${key} to at most 63 letters, digits, '-', '_' or '.'`,
            });
        }
    }
    const suffix = config.namespaceSuffix;
    const namespaces = new Set(Object.keys(config.apps).flatMap((id) => catalogEntry(catalog, id)?.namespace ?? []).map((n) => n + suffix));
    if (config.traefik.namespace === undefined) {
        namespaces.add(`traefik${suffix}`);
    }
    for (const [id, app] of Object.entries(config.apps)) {
        const spec = catalogEntry(catalog, id);
        const service = spec && `${app.namePrefix ?? ""}${spec.serviceName ?? `${spec.stem}-service`}${app.nameSuffix ?? ""}`;
        if (service && (app.namePrefix !== undefined || app.nameSuffix !== undefined) && !dnsLabel.test(service)) {
            problems.push({
                path: `${PROJECT}:apps.${id}.${app.namePrefix !== undefined ? "namePrefix" : "nameSuffix"}`, value: app.namePrefix ?? app.nameSuffix,
                problem: `makes the Service name "${service}", which is not a DNS label (at most 63 lowercase letters, digits and '-', starting with a letter or digit)`,
                fix: "shorten the prefix or suffix, or leave '.' out of it",
            });
        }
    }
    for (const namespace of namespaces) {
        if (!dnsLabel.test(namespace)) {
            problems.push({
                path: `${PROJECT}:namespaceSuffix`, value: suffix,
                problem: `makes the namespace "${namespace}", longer than the 63 characters Kubernetes allows`,
                fix: "shorten the suffix",
            });
        }
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
    return [...labelProblems(plan.config, plan.catalog), ...namingProblems(plan.config, plan.catalog), ...chartProblems(plan.config)];
}
