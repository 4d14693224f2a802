/** The real-engine part of the benchmark; filled in when the toolchain and control plane exist. */
export interface EngineResult {
    markdown: string[];
}

export function engineBenchmarks(): Promise<EngineResult | undefined> {
    return Promise.resolve(undefined);
}
