/**
 * Monitoring through the real engine on the local control plane: the live check reads whether the
 * Prometheus Operator's CRDs are there before anything is registered. Without them an up ships the
 * scrape ConfigMap; once the operator's own CRDs (prometheus-operator v0.85.0, from its Go module)
 * are applied, the next up replaces it by a PodMonitor and a PrometheusRule, which the API server
 * validates against those CRDs' schemas.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { destroyAndClean, exists, kubectl, kubectlJson, ProjectCopy } from "../support/harness";

const quiet = { onOutput: () => undefined };
const OPERATOR_MODULE = "github.com/prometheus-operator/prometheus-operator@v0.85.0";
const OPERATOR_CRDS = ["podmonitors", "prometheusrules"].map((plural) => `${plural}.monitoring.coreos.com`);

/** The operator's CRD files, from its module in the Go module cache (downloaded through the module proxy when missing). */
function operatorCrdFiles(): string[] {
    const { Dir } = JSON.parse(execFileSync("go", ["mod", "download", "-json", OPERATOR_MODULE], { cwd: os.tmpdir(), encoding: "utf8", timeout: 300_000 })) as { Dir: string };
    return OPERATOR_CRDS.map((name) => path.join(Dir, "example", "prometheus-operator-crd", `monitoring.coreos.com_${name.split(".")[0]}.yaml`));
}

describe("monitoring on the local control plane: scrape ConfigMap, then the operator's objects once its CRDs are there", function () {
    this.timeout(20 * 60 * 1000);
    let project: ProjectCopy;
    let stack: Stack | undefined;
    let installed: string[] = [];

    before(async () => {
        project = new ProjectCopy();
        assert.ok(OPERATOR_CRDS.every((crd) => !exists(project.env, "crd", crd)), "the operator's CRDs are not on this plane yet");
        stack = await project.stack("it-monitoring", "dev", (config) => {
            config["tcp-platform:apps"] = { "tcp-demo": { entryPoint: { name: "mytcp", port: 9999, nodePort: 30999 } }, "redis-demo": { entryPoint: { name: "redis", port: 6379, nodePort: 30379 } } };
            config["tcp-platform:monitoring"].selectorLabels = { release: "kube-prometheus-stack" };
        });
    });

    after(async () => {
        if (stack) {
            await destroyAndClean(stack, project.env);
        }
        if (installed.length > 0) {
            kubectl(project.env, "delete", "crd", ...installed, "--ignore-not-found");
        }
        project.remove();
    });

    it("ships the scrape config and the rule file in a ConfigMap where no operator serves PodMonitors", async () => {
        const up = await stack!.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        const data = kubectlJson(project.env, "get", "configmap", "traefik-ingress-prometheus", "-n", "traefik").data;
        const job = YAML.parse(data["scrape-configs.yaml"]).scrape_configs[0];
        assert.equal(job.job_name, "traefik/traefik-ingress-metrics");
        assert.deepEqual(job.kubernetes_sd_configs[0].selectors, [{ role: "pod", label: "app.kubernetes.io/name=traefik,app.kubernetes.io/instance=traefik-ingress-traefik" }]);
        assert.deepEqual(YAML.parse(data["rules.yaml"]).groups[0].rules.map((r: any) => r.alert), ["TraefikPodsNotReady", "AppNoReadyEndpoint", "AppNoReadyEndpoint"]);
        // The chart's pod annotations stay for annotation-based scrapers; the policy admits the scraper to 9100.
        const pod = kubectlJson(project.env, "get", "deployment", "traefik-ingress", "-n", "traefik").spec.template.metadata.annotations;
        assert.deepEqual([pod["prometheus.io/scrape"], pod["prometheus.io/port"], pod["prometheus.io/path"]], ["true", "9100", "/metrics"]);
        assert.deepEqual(kubectlJson(project.env, "get", "networkpolicy", "traefik-ingress-ingress", "-n", "traefik").spec.ingress[1].ports, [{ port: 9100, protocol: "TCP" }]);
    });

    it("replaces it by a PodMonitor and a PrometheusRule once the operator's CRDs are on the cluster", async () => {
        const rules = YAML.parse(kubectlJson(project.env, "get", "configmap", "traefik-ingress-prometheus", "-n", "traefik").data["rules.yaml"]).groups;
        kubectl(project.env, "apply", "--server-side", "--field-manager=tcp-platform-test", ...operatorCrdFiles().flatMap((f) => ["-f", f]));
        installed = OPERATOR_CRDS;
        kubectl(project.env, "wait", "--for=condition=Established", "--timeout=60s", ...OPERATOR_CRDS.map((crd) => `crd/${crd}`));
        const up = await stack!.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        assert.deepEqual([up.summary.resourceChanges?.create, up.summary.resourceChanges?.delete], [2, 1], JSON.stringify(up.summary.resourceChanges));
        const podMonitor = kubectlJson(project.env, "get", "podmonitors.monitoring.coreos.com", "traefik-ingress-metrics", "-n", "traefik");
        assert.equal(podMonitor.metadata.labels.release, "kube-prometheus-stack");
        assert.deepEqual(podMonitor.spec.podMetricsEndpoints, [{ port: "metrics", path: "/metrics", interval: "30s" }]);
        const rule = kubectlJson(project.env, "get", "prometheusrules.monitoring.coreos.com", "traefik-ingress-alerts", "-n", "traefik");
        assert.deepEqual(rule.spec.groups, rules, "the same rules as the rule file");
        assert.ok(!exists(project.env, "configmap", "traefik-ingress-prometheus", "-n", "traefik"));
    });
});
