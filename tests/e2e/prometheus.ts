/**
 * The real Prometheus server (scripts/prometheus.sh, built from its Go module), run as a local
 * process with the scrape config and rule file the program deployed in its ConfigMap. As for
 * Traefik (traefik.ts), only what ties them to a cluster's inside changes: the pod discovery
 * reads the API server through the test's kubeconfig instead of the in-cluster account, and the
 * discovered Traefik pod's address (a simulated pod's IP, which nothing routes) moves to the local
 * Traefik's metrics entryPoint on 127.0.0.1.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import * as YAML from "yaml";
import { ScrapeConfig } from "../../lib/plan/scrape";
import { ephemeralPort, LOOPBACK } from "./clients";
import { eventuallyAsync, ManagedProcess } from "./processes";

/** One sample of an instant query's vector. */
export interface Sample {
    metric: Record<string, string>;
    value: number;
}

/** An alert as /api/v1/alerts lists it. */
export interface ActiveAlert {
    labels: Record<string, string>;
    state: "pending" | "firing";
}

/**
 * The deployed scrape configs, pointed at the cluster from outside and at the local Traefik: each
 * pod discovery gets the kubeconfig, each job a last relabeling to `127.0.0.1:<metricsPort>`.
 */
export function localScrapeConfigs(deployed: string, kubeconfig: string, metricsPort: number): { scrape_configs: ScrapeConfig[] } {
    const { scrape_configs } = YAML.parse(deployed) as { scrape_configs: ScrapeConfig[] };
    return {
        scrape_configs: scrape_configs.map((job) => ({
            ...job,
            kubernetes_sd_configs: job.kubernetes_sd_configs.map((sd) => ({ ...sd, kubeconfig_file: kubeconfig })),
            relabel_configs: [...job.relabel_configs, { target_label: "__address__", replacement: `${LOOPBACK}:${metricsPort}` }],
        })),
    };
}

function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const request = http.get({ host: LOOPBACK, port, path: urlPath, timeout: 10_000 }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (c: Buffer) => chunks.push(c));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        });
        request.on("timeout", () => request.destroy(new Error(`GET ${urlPath}: no answer in 10 s`)));
        request.on("error", reject);
    });
}

export class LocalPrometheus {
    private constructor(readonly port: number, readonly process: ManagedProcess) {}

    /**
     * Starts the server with `scrape_config_files` and `rule_files` as given, scraping and
     * evaluating every `intervalSeconds`; returns once /-/ready answers.
     */
    static async start(binary: string, dir: string, files: { scrapeConfigs: string; rules: string }, intervalSeconds: number): Promise<LocalPrometheus> {
        fs.mkdirSync(dir, { recursive: true });
        const config = path.join(dir, "prometheus.yml");
        fs.writeFileSync(config, YAML.stringify({
            global: { scrape_interval: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s` },
            scrape_config_files: [files.scrapeConfigs],
            rule_files: [files.rules],
        }));
        const port = await ephemeralPort();
        const proc = new ManagedProcess("prometheus", binary, [
            `--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, "tsdb")}`, `--web.listen-address=${LOOPBACK}:${port}`,
        ], path.join(dir, "prometheus.log"));
        const prometheus = new LocalPrometheus(port, proc);
        try {
            await eventuallyAsync(60, "Prometheus's /-/ready", async () => {
                if (!proc.running) {
                    throw new Error(`Prometheus exited:\n${proc.tail()}`);
                }
                return (await get(port, "/-/ready").catch(() => ({ status: 0 }))).status === 200 ? true : undefined;
            });
        } catch (err) {
            await proc.stop();
            throw err;
        }
        return prometheus;
    }

    /** An instant query through the HTTP API; throws on a query Prometheus refuses. */
    async query(expr: string): Promise<Sample[]> {
        const { status, body } = await get(this.port, `/api/v1/query?query=${encodeURIComponent(expr)}`);
        const answer = JSON.parse(body) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
        if (status !== 200 || answer.status !== "success" || !answer.data) {
            throw new Error(`query ${expr}: HTTP ${status} ${answer.error ?? body}`);
        }
        if (answer.data.resultType !== "vector") {
            throw new Error(`query ${expr}: a ${answer.data.resultType}, not a vector`);
        }
        return answer.data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    }

    /** A range query: each series' samples, `seconds` back from now, every `step` seconds. */
    async queryRange(expr: string, seconds: number, step: number): Promise<{ metric: Record<string, string>; values: [number, number][] }[]> {
        const end = Date.now() / 1000;
        const { status, body } = await get(this.port, `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${end - seconds}&end=${end}&step=${step}`);
        const answer = JSON.parse(body) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
        if (status !== 200 || answer.status !== "success" || !answer.data) {
            throw new Error(`query_range ${expr}: HTTP ${status} ${answer.error ?? body}`);
        }
        return answer.data.result.map(({ metric, values }) => ({ metric, values: values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
    }

    async alerts(): Promise<ActiveAlert[]> {
        const { body } = await get(this.port, "/api/v1/alerts");
        return (JSON.parse(body) as { data: { alerts: ActiveAlert[] } }).data.alerts;
    }

    /** The state of the scrape targets: health and last error by job. */
    async targets(): Promise<{ job: string; health: string; lastError: string; scrapeUrl: string }[]> {
        const { body } = await get(this.port, "/api/v1/targets?state=active");
        const targets = (JSON.parse(body) as { data: { activeTargets: { labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }[] } }).data.activeTargets;
        return targets.map((t) => ({ job: t.labels.job, health: t.health, lastError: t.lastError, scrapeUrl: t.scrapeUrl }));
    }

    async stop(): Promise<void> {
        await this.process.stop();
    }
}
