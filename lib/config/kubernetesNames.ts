/**
 * Kubernetes' own rules for what users type that lands in objects (k8s.io/apimachinery's
 * validation, as the API server applies it): label keys and values, and object names by kind.
 * Each refusal says which rule and how to meet it, so preview refuses what `up` would.
 */
import { z } from "zod";
import type { Refusal } from "../vocabulary";
import { dnsLabel, dnsSubdomain } from "./primitives";

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_KEY_FIX = "write a label key such as team or example.com/team: an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
const LABEL_VALUE_FIX = "write at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or nothing)";

/** A qualified name (IsQualifiedName): `[prefix/]name`, the prefix a DNS subdomain of at most 253, the name at most 63. */
export function labelKeyRefusal(key: string): Refusal | undefined {
    const parts = key.split("/");
    if (parts.length > 2) {
        return { problem: "has more than one '/': a label key is [prefix/]name", fix: LABEL_KEY_FIX };
    }
    const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
    if (prefix !== undefined && !(prefix.length <= 253 && dnsSubdomain.test(prefix))) {
        return { problem: `has the prefix "${prefix.slice(0, 40)}", which is not a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253)`, fix: LABEL_KEY_FIX };
    }
    if (name.length > 63) {
        return { problem: `has a name part of ${name.length} characters, more than the 63 Kubernetes allows`, fix: LABEL_KEY_FIX };
    }
    return LABEL_NAME.test(name) ? undefined : { problem: name === "" ? "has an empty name part" : `has the name part "${name}", which Kubernetes refuses`, fix: LABEL_KEY_FIX };
}

export function labelValueRefusal(value: string): Refusal | undefined {
    if (value.length > 63) {
        return { problem: `is ${value.length} characters long, more than the 63 of a label value`, fix: LABEL_VALUE_FIX };
    }
    return value === "" || LABEL_NAME.test(value) ? undefined : { problem: "is not a label value Kubernetes accepts", fix: LABEL_VALUE_FIX };
}

function refined(check: (text: string) => Refusal | undefined, what: string) {
    return z.custom<string>(() => true).superRefine((value: unknown, ctx) => {
        // YAML reads an unquoted true, 1.0 or 0777 as another type: say so, and how to quote it.
        const refusal = typeof value === "string" ? check(value)
            : { problem: `is ${value === null ? "null" : `a ${typeof value}`} in YAML, and ${what} is text`, fix: `quote it: "${String(value)}"` };
        if (refusal) {
            ctx.addIssue({ code: "custom", message: refusal.problem, params: { fix: refusal.fix }, input: value });
        }
    });
}

/** Labels as Kubernetes takes them: keys and values checked to its rules. */
export const labelsSchema = z.record(z.string().superRefine((key, ctx) => {
    const refusal = labelKeyRefusal(key);
    if (refusal) {
        ctx.addIssue({ code: "custom", message: `is not a label key: it ${refusal.problem}`, params: { fix: refusal.fix }, input: key });
    }
}), refined(labelValueRefusal, "a label value"));

// Object names: a DNS-1035 label for a Service (its name becomes a DNS name that must start with a letter),
// a DNS-1123 label for a Namespace, a DNS-1123 subdomain for the rest.
const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

const tooLong = (name: string, max: number, whose: string) => (name.length > max ? `is ${name.length} characters long, more than the ${max} ${whose} may have` : undefined);

/** What the API server (or the controller that names objects after it) refuses of `name` for an object of `kind`. */
export function objectNameRefusal(kind: string, name: string): Refusal | undefined {
    if (kind === "Service" && !DNS_1035.test(name)) {
        return { problem: tooLong(name, 63, "a Service's name") ?? "is not a DNS-1035 label (a Service's name: lowercase letters, digits and '-', starting with a letter)", fix: "shorten the name, start it with a letter, or leave '.' and '_' out" };
    }
    if (kind === "Namespace" && !dnsLabel.test(name)) {
        return { problem: tooLong(name, 63, "a namespace's name") ?? "is not a DNS-1123 label (a namespace's name: lowercase letters, digits and '-')", fix: "shorten it, or leave '.' and '_' out" };
    }
    if (!(name.length <= 253 && dnsSubdomain.test(name))) {
        return { problem: tooLong(name, 253, `a ${kind}'s name`) ?? `is not a DNS-1123 subdomain (a ${kind}'s name: lowercase letters, digits, '-' and '.')`, fix: "use lowercase letters, digits, '-' and '.'" };
    }
    // Controllers put the name in labels: a StatefulSet's revisions (`<name>-<10-char hash>`), cert-manager's certificate-name.
    if (kind === "StatefulSet" && name.length > 52) {
        return { problem: `${tooLong(name, 52, "a StatefulSet's name")}: its controller labels revisions <name>-<hash>, a label value of at most 63`, fix: "shorten the name" };
    }
    if (kind === "Certificate" && name.length > 63) {
        return { problem: `${tooLong(name, 63, "a Certificate's name")}: cert-manager labels its Secret and requests with it, a label value of at most 63`, fix: "shorten the name" };
    }
    return undefined;
}
