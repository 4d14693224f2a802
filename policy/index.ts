// CrossGuard policy pack: `pulumi preview --policy-pack policy`. The rules live in rules.ts.
import { PolicyPack, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { rules, stackRules } from "./rules";

new PolicyPack("tcp-platform", {
    enforcementLevel: "mandatory",
    policies: [
        ...rules.map((rule) => ({
            name: rule.name,
            description: rule.description,
            validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
                for (const message of rule.check({ type: args.type, props: args.props })) {
                    reportViolation(message);
                }
            },
        })),
        ...stackRules.map((rule) => ({
            name: rule.name,
            description: rule.description,
            enforcementLevel: rule.enforcementLevel,
            validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
                for (const message of rule.check(args.resources.map((r) => ({ type: r.type, props: r.props })))) {
                    reportViolation(message);
                }
            },
        })),
    ],
});
