import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./lib/config";
import { checkCluster } from "./lib/liveChecks";
import { providerClusterReader } from "./lib/liveCluster";
import { planPlatform } from "./lib/plan";
import { deployPlatform } from "./lib/platform";
import { skipSourceMapsForPromiseTraces } from "./lib/stackTraces";
import { ConfigError } from "./lib/validation";

/** A refused configuration as the engine shows it: a RunError prints its message without a stack trace. */
async function refusingBadConfig<T>(step: () => Promise<T> | T): Promise<T> {
    try {
        return await step();
    } catch (err) {
        throw err instanceof ConfigError ? new pulumi.RunError(err.message) : err;
    }
}

skipSourceMapsForPromiseTraces();

export = async () => {
    const config = await refusingBadConfig(loadConfig);
    const plan = planPlatform(config);
    // The cluster the Kubernetes provider deploys to, read before anything is registered.
    const kubernetes = new pulumi.Config("kubernetes");
    const live = await refusingBadConfig(async () =>
        checkCluster(plan, config.adopt, await providerClusterReader(kubernetes.get("kubeconfig"), kubernetes.get("context"))));
    const platform = deployPlatform(config, plan, live);
    return {
        /** entryPoint, Traefik port, Service port, NodePort and apps: the seed's port table. */
        entryPoints: platform.traefik.entryPoints,
        portTable: plan.portTable,
        traefikNamespace: platform.traefik.namespace.metadata.name,
    };
};
