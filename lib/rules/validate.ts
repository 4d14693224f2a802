/**
 * The one place that decides whether a stack's configuration is acceptable:
 * schema (shapes and types) → plan (every derived fact, once) → rules (small checks over the
 * plan). Every problem of a pass is reported at once, each naming its config path, the value and
 * the fix, and all of it runs before any resource is registered.
 */
import { Catalog, catalog as projectCatalog } from "../catalog";
import { parseConfig } from "../config/parse";
import { RawConfig } from "../config/schema";
import { PROJECT } from "../constants";
import { PlatformPlan, planPlatform } from "../plan/plan";
import { ConfigError, Problem } from "../problems";
import { gatewayProblems } from "./gateway";
import { nameProblems } from "./names";
import { portProblems } from "./ports";
import { routeProblems } from "./routes";
import { trafficProblems } from "./traffic";
import { workloadProblems } from "./workloads";

function appListProblems(plan: PlatformPlan): Problem[] {
    return plan.apps.length > 0 ? [] : [{
        path: `${PROJECT}:apps`, value: plan.config.apps, problem: "lists no app", fix: `enable at least one of: ${Object.keys(plan.catalog).join(", ")}`,
    }];
}

/** Every rule, in the order its problems are reported. */
export function ruleProblems(plan: PlatformPlan): Problem[] {
    return [appListProblems, portProblems, routeProblems, trafficProblems, gatewayProblems, workloadProblems, nameProblems].flatMap((rule) => rule(plan));
}

/** The plan of a valid configuration; throws one ConfigError listing every problem of the failing pass. */
export function validate(raw: RawConfig, catalog: Catalog = projectCatalog): PlatformPlan {
    const plan = planPlatform(parseConfig(raw, catalog), catalog);
    const problems = ruleProblems(plan);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return plan;
}
