/**
 * The one place that decides whether a stack's configuration is acceptable:
 * schema (shapes and types) → plan (every derived fact, once) → rules (small checks over the
 * plan) → objects (every object the plan renders, against Kubernetes' and the CRDs' schemas, as
 * the API server would check it: lib/objects/validate.ts). Every problem of a pass is reported at once, each naming its config path, the value and
 * the fix, and all of it runs before any resource is registered. What passes is returned as a
 * PlatformPlan, narrowed to what the rules proved.
 */
import { Catalog } from "../catalog";
import { projectCatalog } from "../config/catalogFiles";
import { parseConfig } from "../config/parse";
import { RawConfig } from "../config/schema";
import { PROJECT } from "../constants";
import { AppDraft, PlanDraft, PlannedApp, PlatformPlan } from "../model";
import { objectProblems } from "../objects/validate";
import { planPlatform } from "../plan/plan";
import { ConfigError, Problem } from "../problems";
import { gatewayProblems } from "./gateway";
import { nameProblems } from "./names";
import { portProblems } from "./ports";
import { routeProblems } from "./routes";
import { trafficProblems } from "./traffic";
import { traefikPodProblems } from "./traefikPods";
import { workloadProblems } from "./workloads";

function appListProblems(plan: PlanDraft): Problem[] {
    return plan.apps.length > 0 ? [] : [{
        path: `${PROJECT}:apps`, value: plan.config.apps, problem: "lists no app", fix: `enable at least one of: ${Object.keys(plan.catalog).join(", ")}`,
    }];
}

/** Every rule, in the order its problems are reported. */
export function ruleProblems(plan: PlanDraft): Problem[] {
    return [appListProblems, portProblems, routeProblems, trafficProblems, traefikPodProblems, gatewayProblems, workloadProblems, nameProblems].flatMap((rule) => rule(plan));
}

/** A routed app the rules passed has its entryPoint and route (portProblems refuses one without). */
function routedApp(app: AppDraft): PlannedApp {
    if (app.kind === "http") {
        return app;
    }
    const missing = () => new Error(`app ${app.id} passed the rules without an entryPoint or a route: a rule is missing`);
    if (app.entryPoint === undefined) {
        throw missing();
    }
    if (app.kind === "udp") {
        if (!app.route) {
            throw missing();
        }
        return { ...app, entryPoint: app.entryPoint, route: app.route };
    }
    if (!app.route) {
        throw missing();
    }
    return { ...app, entryPoint: app.entryPoint, route: app.route };
}

/** The plan of a valid configuration; throws one ConfigError listing every problem of the failing pass. */
export function validate(raw: RawConfig, catalog: Catalog = projectCatalog()): PlatformPlan {
    const draft = planPlatform(parseConfig(raw, catalog), catalog);
    const problems = ruleProblems(draft);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    // The declarations are the rules' to read: a valid plan's entryPoints are Traefik's (plan.traefik.entryPoints).
    const { entryPoints, apps, ...rest } = draft;
    const plan: PlatformPlan = { ...rest, apps: apps.map(routedApp) };
    // Last, every object as it will be sent, against the schemas the API server checks it by.
    const refused = objectProblems(plan);
    if (refused.length > 0) {
        throw new ConfigError(refused);
    }
    return plan;
}
