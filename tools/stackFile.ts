/**
 * Edits of a stack file that keep it as its author wrote it: comments, key order, flow mappings
 * and long encrypted values stay; only the edited node changes.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { RawConfig } from "../lib/config/schema";
import { rawConfigFromStackFile } from "../lib/config/load";
import { PROJECT } from "../lib/constants";
import { PortAssignment } from "../lib/plan/portAssignment";
import { quoteAmbiguous } from "../lib/portableYaml";

/** The stack file's text with `apps.<app>.entryPoint` set to the assignment (a flow mapping, as the committed stacks write it). */
export function withEntryPoint(text: string, assignment: PortAssignment): string {
    const doc = YAML.parseDocument(text);
    // A pool entryPoint is claimed by its name alone: its ports are the pool's.
    const node = doc.createNode(assignment.pool ? { name: assignment.name } : { name: assignment.name, port: assignment.port, nodePort: assignment.nodePort });
    node.flow = true;
    quoteAmbiguous(node);
    const app = ["config", `${PROJECT}:apps`, assignment.app];
    // `redis-demo:` with nothing under it (null) becomes a mapping of its own.
    if (!YAML.isMap(doc.getIn(app, true))) {
        doc.setIn(app, doc.createNode({}));
    }
    doc.setIn([...app, "entryPoint"], node);
    return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** The raw configuration that `text` would be as stack `stack` of the project in `projectDir`. */
export function rawConfigOfText(text: string, stack: string, projectDir: string): RawConfig {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tcp-platform-stack-"));
    try {
        const file = path.join(dir, `Pulumi.${stack}.yaml`);
        fs.writeFileSync(file, text);
        return rawConfigFromStackFile(file, projectDir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
