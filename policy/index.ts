// CrossGuard policy pack: `pulumi preview --policy-pack policy`. The rules live in rules.ts.
import { PolicyPack } from "@pulumi/policy";
import { rules } from "./rules";

new PolicyPack("tcp-platform", {
    enforcementLevel: "mandatory",
    policies: rules.map((rule) => ({
        name: rule.name,
        description: rule.description,
        validateResource: (args, reportViolation) => {
            for (const message of rule.check({ type: args.type, props: args.props })) {
                reportViolation(message);
            }
        },
    })),
});
