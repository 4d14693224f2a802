/** The Gateway API CRDs the program installs in gateway routing, as the generated bundle holds them. */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** A CRD of the bundle, as far as the program reads it. */
export interface CrdObject {
    kind: string;
    metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: unknown;
}

/** The CRD bundle (gatewayApiCrds.yaml, verbatim from the Go module), parsed: one object per CRD. */
export function gatewayApiCrdObjects(): CrdObject[] {
    const text = fs.readFileSync(path.join(__dirname, "gatewayApiCrds.yaml"), "utf8");
    return YAML.parseAllDocuments(text).map((doc) => doc.toJS() as CrdObject | null).filter((o): o is CrdObject => o?.kind === "CustomResourceDefinition");
}
