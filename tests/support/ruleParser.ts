/**
 * A reader of Traefik's rule language, written from its grammar (Go tokens, as Traefik's parser
 * reads them): matchers `Name(arg, ...)` with backtick or double-quoted string arguments, joined
 * by `&&`, `||`, `!` and parentheses. Tests read back what the program rendered with it: how many
 * matchers a rule holds, their names and their arguments. A rule it cannot read throws.
 */

export type Token =
    | { kind: "name"; text: string }
    | { kind: "string"; text: string }
    | { kind: "(" | ")" | "," | "&&" | "||" | "!" };

export interface Matcher {
    name: string;
    args: string[];
}

export function tokenize(rule: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < rule.length) {
        const ch = rule[i];
        const two = rule.slice(i, i + 2);
        if (/\s/.test(ch)) {
            i++;
        } else if (two === "&&" || two === "||") {
            tokens.push({ kind: two });
            i += 2;
        } else if (ch === "(" || ch === ")" || ch === "," || ch === "!") {
            tokens.push({ kind: ch });
            i++;
        } else if (ch === "`") {
            // A raw string: everything to the next backtick, no escapes (Go drops carriage returns).
            const end = rule.indexOf("`", i + 1);
            if (end < 0) {
                throw new Error(`unterminated raw string at ${i} in ${rule}`);
            }
            tokens.push({ kind: "string", text: rule.slice(i + 1, end).replace(/\r/g, "") });
            i = end + 1;
        } else if (ch === '"') {
            const match = /^"(?:[^"\\\n]|\\.)*"/.exec(rule.slice(i));
            if (!match) {
                throw new Error(`unterminated string at ${i} in ${rule}`);
            }
            tokens.push({ kind: "string", text: JSON.parse(match[0]) as string });
            i += match[0].length;
        } else {
            const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rule.slice(i));
            if (!name) {
                throw new Error(`unexpected ${JSON.stringify(ch)} at ${i} in ${rule}`);
            }
            tokens.push({ kind: "name", text: name[0] });
            i += name[0].length;
        }
    }
    return tokens;
}

/** Every matcher of `rule`, in order; throws unless the whole rule is one well-formed expression. */
export function matchersOf(rule: string): Matcher[] {
    const tokens = tokenize(rule);
    const found: Matcher[] = [];
    let at = 0;
    const peek = () => tokens[at]?.kind;
    const expect = (kind: Token["kind"]) => {
        if (peek() !== kind) {
            throw new Error(`expected ${kind} at token ${at} of ${rule}`);
        }
        return tokens[at++];
    };
    const term = (): void => {
        if (peek() === "!") {
            at++;
            return term();
        }
        if (peek() === "(") {
            at++;
            expression();
            expect(")");
            return;
        }
        const name = expect("name") as { text: string };
        expect("(");
        const args = [(expect("string") as { text: string }).text];
        while (peek() === ",") {
            at++;
            args.push((expect("string") as { text: string }).text);
        }
        expect(")");
        found.push({ name: name.text, args });
    };
    const expression = (): void => {
        term();
        while (peek() === "&&" || peek() === "||") {
            at++;
            term();
        }
    };
    expression();
    if (at !== tokens.length) {
        throw new Error(`trailing tokens after ${at} in ${rule}`);
    }
    return found;
}

/** The host a HostSNI or HostSNIRegexp matcher the program writes stands for (`*.x` for a wildcard). */
export function hostOf(m: Matcher): string {
    const [arg] = m.args;
    if (m.name === "HostSNI" || m.name === "Host") {
        return arg;
    }
    const v3 = /^\(\?i\)\^\[\^\.\]\+\\\.(.*)\$$/.exec(arg);
    if (v3) {
        return `*.${v3[1].replace(/\\\./g, ".")}`;
    }
    const v2 = /^\{subdomain:\[\^\.\]\+\}\.(.*)$/.exec(arg);
    if (v2) {
        return `*.${v2[1]}`;
    }
    throw new Error(`not a host matcher the program writes: ${m.name}(${arg})`);
}
