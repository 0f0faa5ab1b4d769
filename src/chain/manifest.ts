import { readFileSync } from "node:fs";
import { type DeploymentManifest, InvalidManifestError, validateManifest } from "./validateManifest.ts";

export {
  type ContractName,
  contractNames,
  type DeploymentManifest,
  InvalidManifestError,
  validateManifest,
} from "./validateManifest.ts";

export type LoadManifestParameters = { path: string } | { json: unknown };

/** Reads and validates a deployment manifest; throws `InvalidManifestError` with what is wrong. */
export function loadManifest(parameters: LoadManifestParameters): DeploymentManifest {
  let json: unknown;
  if ("path" in parameters) {
    let text: string;
    try {
      text = readFileSync(parameters.path, "utf8");
    } catch (cause) {
      throw new InvalidManifestError(`Cannot read deployment manifest ${parameters.path}.`, {
        cause,
        metaMessages: ["Run `npm start` (local chain) or `node scripts/deploy.ts --rpc <url>` to create it."],
      });
    }
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new InvalidManifestError(`Deployment manifest ${parameters.path} is not JSON.`, { cause });
    }
  } else json = parameters.json;
  return validateManifest(json);
}
