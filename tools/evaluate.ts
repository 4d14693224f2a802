/**
 * Runs the program in-process under Pulumi's mocks: no engine, no cluster. The render script,
 * the unit tests and the benchmark use it to see every resource the program registers, with
 * the exact inputs it sends.
 */
import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import { Catalog } from "../lib/catalog";
import { projectCatalog } from "../lib/config/catalogFiles";
import { rawConfigFromPulumi } from "../lib/config/load";
import { RawConfig, StackConfig } from "../lib/config/schema";
import { PROJECT } from "../lib/constants";
import { LiveDecisions } from "../lib/live/checks";
import { validate } from "../lib/rules/validate";
import { deployPlatform, Platform } from "../platform";

export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

export interface Evaluation {
    config: StackConfig;
    platform: Platform;
    resources: RecordedResource[];
}

// The SDK drains its queue of pending registrations in `waitForRPCs`, which it keeps internal.
const settings = runtimeSettings as typeof runtimeSettings & { waitForRPCs: () => Promise<void> };

/**
 * Evaluates the program for one stack's raw configuration and records what it registers
 * (into `resources`, which a caller may pass to see what was registered before a failure), with
 * what a live check would have decided (`live`; none: as offline).
 */
export async function evaluate(raw: RawConfig, stack = "dev", resources: RecordedResource[] = [], catalog: Catalog = projectCatalog(), live: LiveDecisions = {}): Promise<Evaluation> {
    await pulumi.runtime.setMocks({
        newResource: (args) => {
            const inputs = args.inputs as Record<string, unknown>;
            resources.push({ type: args.type, name: args.name, inputs });
            // As the API server answers: the object as sent, with the version it was stored at.
            const metadata = inputs.metadata as Record<string, unknown> | undefined;
            return { id: `${args.name}-id`, state: metadata ? { ...inputs, metadata: { ...metadata, resourceVersion: "1" } } : inputs };
        },
        call: (args) => args.inputs as Record<string, unknown>,
    }, PROJECT, stack, true);
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw.values)) {
        config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    // Other namespaces' keys reach the program too: validation looks for a misspelt tcp-platform among them.
    for (const key of raw.otherKeys ?? []) {
        config[key] = "";
    }
    pulumi.runtime.setAllConfig(config, [...raw.secretKeys].map((key) => `${PROJECT}:${key}`));
    // The same path as index.ts: read back through the runtime, then validate.
    const plan = validate(rawConfigFromPulumi(), catalog);
    const platform = deployPlatform(plan, live);
    await settings.waitForRPCs();
    return { config: plan.config, platform, resources };
}
