/** The Pulumi program: the platform for the project's app catalog (see platform.ts). */
import { projectCatalog } from "./lib/config/catalogFiles";
import { skipSourceMapsForPromiseTraces } from "./lib/stackTraces";
import { stackProgram } from "./platform";

skipSourceMapsForPromiseTraces();

export = stackProgram(projectCatalog);
