/**
 * The building blocks of the stack configuration's schema: names, images, quantities, ports,
 * addresses and durations, each with the message and the fix a refusal names. Values that reach
 * Traefik's rules are lib/vocabulary.ts's checked values (term()); labels are kubernetesNames.ts's.
 */
import { z } from "zod";
import { parseQuantity } from "../quantity";
import { Checked, sourceRange } from "../vocabulary";

// RFC 1123 label: a Secret name and a Kubernetes object name part.
export const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// A Helm release name: an RFC 1123 label of at most 53 characters (Helm appends suffixes to it).
export const helmReleaseName = /^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/;
// RFC 1123 subdomain: StorageClass and issuer names.
export const dnsSubdomain = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// An image name (repository path) without tag or digest.
export const imageName = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*$/;
export const imageTag = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A string its vocabulary's checked constructor accepts, as the branded value it makes; else its refusal. */
export function term<T>(check: (text: string) => Checked<T>) {
    return z.string().transform((text, ctx): T => {
        const checked = check(text);
        if (checked.ok) {
            return checked.value;
        }
        ctx.addIssue({ code: "custom", message: checked.problem, params: { fix: checked.fix }, input: text });
        return z.NEVER;
    });
}

/** A string matching `pattern`, with our message and fix when it does not. */
export function matching(pattern: RegExp, message: string, fix: string) {
    return z.string().refine((text) => pattern.test(text), { message, params: { fix } });
}

export const quantity = (kind: "cpu" | "memory" | "storage") =>
    z.string().refine((q) => parseQuantity(q) !== undefined && parseQuantity(q)! >= (kind === "storage" ? 1 : 0), {
        message: `is not a Kubernetes ${kind} quantity${kind === "storage" ? " above zero" : ""}`,
        params: {
            fix: kind === "cpu" ? 'write cores ("0.5") or millicores ("500m")' : 'write bytes with a suffix ("64Mi", "1Gi", "500M")',
        },
    });

export const resourceAmounts = z.strictObject({ cpu: quantity("cpu").optional(), memory: quantity("memory").optional() });
export const resourcesSchema = z.strictObject({ requests: resourceAmounts.optional(), limits: resourceAmounts.optional() });
export const port = z.number().int().min(1).max(65535);
export const replicas = z.number().int().min(0).max(1000);

export const cidr = term(sourceRange);
export const cidrList = z.array(cidr).min(1);

// Go's time.ParseDuration units, in seconds.
const GO_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Seconds (to the millisecond) of a duration in Go's syntax ("15s", "1m30s", "500ms", "1.5h"), without a sign; else undefined. */
export function goDurationSeconds(text: string): number | undefined {
    if (text === "0") {
        return 0;
    }
    const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/y;
    let total = 0;
    let at = 0;
    while (at < text.length) {
        part.lastIndex = at;
        const match = part.exec(text);
        if (!match) {
            return undefined;
        }
        total += Number(match[1]) * GO_UNITS[match[2]];
        at = part.lastIndex;
    }
    return text.length > 0 ? Math.round(total * 1000) / 1000 : undefined;
}

const DURATION_FIX = 'write whole seconds (30) or a duration in Go\'s syntax, as Traefik takes it: "30s", "1m30s", "500ms", "1h"';

/** Seconds, from whole seconds or a Go duration: normalised here, once. */
export const duration = z.custom<number | string>(() => true).transform((value: unknown, ctx): number => {
    const seconds = typeof value === "number" ? (Number.isInteger(value) && value >= 0 ? value : undefined) : typeof value === "string" ? goDurationSeconds(value) : undefined;
    if (seconds === undefined) {
        const message = value === undefined ? "is required" : typeof value === "number" ? "is not a whole, non-negative number of seconds" : "is not a duration";
        ctx.addIssue({ code: "custom", message, params: { fix: DURATION_FIX }, input: value });
        return z.NEVER;
    }
    return seconds;
});

export const secretName = matching(dnsLabel, "is not a valid Secret name", "use lowercase letters, digits and '-'");
