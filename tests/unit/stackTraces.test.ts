import { strict as assert } from "assert";
import { ErrorWithHook, skipSourceMapsForPromiseTraces } from "../../lib/stackTraces";

const hooks = Error as ErrorWithHook;

// The SDK's own bookkeeping, @internal in its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as {
    debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
};

describe("stack traces under ts-node", () => {
    let installed: ErrorWithHook["prepareStackTrace"];
    let mappedFor: (string | null)[];

    beforeEach(() => {
        installed = hooks.prepareStackTrace;
        mappedFor = [];
        // Stands in for source-map-support's hook, recording which stacks it was asked to map.
        hooks.prepareStackTrace = (_error, frames) => {
            mappedFor.push(frames[0]?.getFunctionName() ?? null);
            return "mapped";
        };
        skipSourceMapsForPromiseTraces();
    });

    afterEach(() => {
        hooks.prepareStackTrace = installed;
    });

    it("leaves the SDK's promise traces unmapped, in V8's own format", () => {
        // The SDK stores the trace on the promise it is given.
        const promise: Promise<number> & { _debugStackTrace?: unknown } = Promise.resolve(1);
        void debuggablePromise(promise, "test");
        const trace = String(promise._debugStackTrace);
        assert.match(trace, /^Error\n {4}at debuggablePromise \(.*debuggable\.js:\d+:\d+\)\n {4}at /);
        assert.deepEqual(mappedFor, []);
    });

    it("still maps every other stack: errors users read and resources' source positions", () => {
        function loadConfig(): string | undefined {
            return new Error("tcp-platform:apps: bad").stack;
        }
        assert.equal(loadConfig(), "mapped");
        assert.deepEqual(mappedFor, ["loadConfig"]);
    });

    it("does nothing when no mapping hook is installed", () => {
        delete hooks.prepareStackTrace;
        skipSourceMapsForPromiseTraces();
        assert.equal(hooks.prepareStackTrace, undefined);
        assert.match(String(new Error("plain").stack), /^Error: plain\n {4}at /);
    });
});
