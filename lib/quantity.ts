/**
 * Kubernetes resource quantities ("64Mi", "50m", "1.5", "2e3").
 *
 * Hand-written on purpose: the npm parsers checked (@kubernetes/client-node's quantityToScalar,
 * kubernetes-resource-parser) accept strings the API server refuses ("64MB" parses as 64) or
 * throw on ones it accepts ("1.5Gi"), and the first one brings 70 MB of dependencies. The grammar
 * below is the one in k8s.io/apimachinery/pkg/api/resource/quantity.go.
 */

const binarySuffixes: Record<string, number> = {
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const decimalSuffixes: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

// <signedNumber><suffix>, where suffix is binarySI | decimalSI | decimalExponent.
const quantityPattern = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The grammar as a schema's pattern: the objects' schemas check every quantity by it (lib/objects). */
export const QUANTITY_PATTERN = quantityPattern.source;

/** The quantity's value in base units (cores or bytes), or undefined when it is not a quantity. */
export function parseQuantity(text: string): number | undefined {
    const match = quantityPattern.exec(text);
    if (!match) {
        return undefined;
    }
    const [, number, suffix = ""] = match;
    const value = Number(number);
    if (suffix in binarySuffixes) {
        return value * binarySuffixes[suffix];
    }
    if (suffix in decimalSuffixes) {
        return value * decimalSuffixes[suffix];
    }
    return value * 10 ** Number(suffix.slice(1));
}
