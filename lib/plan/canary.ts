/**
 * A canary: the app's Deployment and Service again, for a new tag, under names and selector
 * labels of their own (a live selector cannot change, so the stable Service must not select the
 * canary's pods), taking a share of the route's connections.
 */
import { AppSpec } from "../catalog";
import { AppConfig } from "../config/schema";
import { splitImage } from "../images";
import type { PlannedAppBase, PlannedCanary } from "../model";
import { canaryNames, NameAffix, withAffix } from "./names";

/** The selector of a canary's pods: each of the app's selector values, suffixed. */
export function canarySelector(selector: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(selector).map(([key, value]) => [key, `${value}-canary`]));
}

export function planCanary(spec: AppSpec, affix: NameAffix, stable: PlannedAppBase & { path: string }, canary: NonNullable<AppConfig["canary"]>): PlannedCanary {
    const { path, ...app } = stable;
    const names = withAffix(canaryNames(spec), affix);
    const { name } = splitImage(app.image);
    return {
        weight: canary.weight,
        path,
        app: {
            ...app,
            names: { ...app.names, deployment: names.deployment, service: names.service, networkPolicy: names.networkPolicy },
            selector: canarySelector(app.selector),
            replicas: canary.replicas ?? 1,
            image: `${name}:${canary.newTag}`,
            // A canary of an app that keeps data is refused (lib/rules/traffic.ts): it has none.
            storage: undefined,
            // A canary is meant to go again: `protect` would refuse that.
            protect: false,
        },
    };
}
