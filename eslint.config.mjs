// ESLint with typescript-eslint's type-aware rules: floating promises and unsafe `any` are the
// mistakes that hurt Pulumi programs most (an un-awaited Output, a bag of untyped inputs).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "render/", "policy/node_modules/", "policy/bin/"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        // Tests and policies read loosely typed manifests and resource properties on purpose.
        files: ["tests/**/*.ts", "policy/rules.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-return": "off",
        },
    },
    {
        // A checked value of lib/vocabulary.ts is made by its constructor only: a cast would skip the check.
        files: ["**/*.ts"],
        ignores: ["lib/vocabulary.ts"],
        rules: {
            "no-restricted-syntax": ["error", ...["TSAsExpression", "TSTypeAssertion"].map((cast) => ({
                selector: `${cast} > TSTypeReference.typeAnnotation[typeName.name=/^(HostName|WildcardHost|SniHost|AlpnProtocol|SourceRange|RoutePath|ImageDigest)$/]`,
                message: "make checked values with their constructor in lib/vocabulary.ts (or known() for the program's own), never by a cast",
            }))],
        },
    },
    { files: ["**/*.mjs", "**/*.js"], ...tseslint.configs.disableTypeChecked },
);
