import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./lib/config";
import { deployPlatform } from "./lib/platform";
import { skipSourceMapsForPromiseTraces } from "./lib/stackTraces";
import { ConfigError } from "./lib/validation";

function validatedConfig() {
    try {
        return loadConfig();
    } catch (err) {
        // A RunError prints its message without a stack trace: the message is the whole story.
        throw err instanceof ConfigError ? new pulumi.RunError(err.message) : err;
    }
}

skipSourceMapsForPromiseTraces();
const platform = deployPlatform(validatedConfig());

/** entryPoint, Traefik port, Service port, NodePort and apps: the seed's port table. */
export const entryPoints = platform.traefik.entryPoints;
export const portTable = platform.plan.portTable;
export const traefikNamespace = platform.traefik.namespace.metadata.name;
