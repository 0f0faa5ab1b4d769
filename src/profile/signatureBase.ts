import { type Item, type Parameters, SerializeError, serializeParameters } from "structured-headers";
import { type ComponentCache, componentIdentifier, componentValue, createComponentCache, isComponentValue } from "./components.ts";
import type { HttpMessage, ParseResult } from "./message.ts";

export type CreateSignatureBaseParameters = {
  message: HttpMessage;
  /** The covered components, as parsed from (or to be written to) Signature-Input. */
  components: readonly Item[];
  /** Signature parameters (created, keyid, nonce, ...), in order. */
  parameters: Parameters;
  /**
   * What the caller already knows of these components, to skip recomputing it:
   * `identifiers[i]` is `componentIdentifier(components[i])`, all distinct, and
   * `signatureParams`, when given, the serialized inner list (components,
   * parameters). The verifier passes them for a remembered Signature-Input prefix.
   */
  known?: { identifiers: readonly string[]; signatureParams?: string | undefined } | undefined;
};

export type CreateSignatureBaseReturnType = ParseResult<{
  /** The signature base (RFC 9421 §2.5), ASCII. */
  base: string;
  /** The serialized inner list: the `@signature-params` value and the Signature-Input member. */
  signatureParams: string;
}>;

/**
 * Builds the RFC 9421 signature base. `@signature-params` is the canonical
 * serialization of the parsed inner list (RFC 9421 §3.2 step 4), so a
 * non-canonical Signature-Input still yields the bytes the signer signed. It is
 * assembled as serializeInnerList does — "(" identifiers joined by a space ")"
 * then the serialized parameters — reusing the identifiers serialized for the
 * component lines.
 */
export function createSignatureBase({ message, components, parameters, known }: CreateSignatureBaseParameters): CreateSignatureBaseReturnType {
  if (known !== undefined && known.identifiers.length === components.length) return knownBase(message, components, parameters, known.identifiers, known.signatureParams);
  let lines = "";
  let identifiers = "";
  const seen: string[] = [];
  // Only components with parameters (key, @query-param) share parses: none on the usual request.
  let cache: ComponentCache | undefined;
  for (const item of components) {
    if (item[0] === "@signature-params") return { ok: false, error: "@signature-params cannot be a covered component" };
    if (item[1].size !== 0) cache ??= createComponentCache();
    const value = componentValue(message, item, cache);
    if (typeof value !== "string") return value;
    const identifier = componentIdentifier(item);
    if (typeof identifier !== "string") return identifier;
    if (!isComponentValue(value)) return { ok: false, error: `component ${identifier} contains a character outside visible ASCII` };
    if (seen.includes(identifier)) return { ok: false, error: `component ${identifier} is covered twice` };
    seen.push(identifier);
    lines += `${identifier}: ${value}\n`;
    identifiers += identifiers === "" ? identifier : ` ${identifier}`;
  }
  let signatureParams: string;
  try {
    signatureParams = `(${identifiers})${serializeSignatureParameters(parameters)}`;
  } catch (error) {
    if (!(error instanceof SerializeError)) throw error;
    return { ok: false, error: "the signature parameters cannot be serialized" };
  }
  return { ok: true, value: { base: `${lines}"@signature-params": ${signatureParams}`, signatureParams } };
}

/** createSignatureBase with the identifiers (and perhaps `@signature-params`) known: the same checks on each value. */
function knownBase(
  message: HttpMessage,
  components: readonly Item[],
  parameters: Parameters,
  identifiers: readonly string[],
  known: string | undefined,
): CreateSignatureBaseReturnType {
  let lines = "";
  let cache: ComponentCache | undefined;
  for (let i = 0; i < components.length; i++) {
    const item = components[i]!;
    if (item[0] === "@signature-params") return { ok: false, error: "@signature-params cannot be a covered component" };
    if (item[1].size !== 0) cache ??= createComponentCache();
    const value = componentValue(message, item, cache);
    if (typeof value !== "string") return value;
    const identifier = identifiers[i]!;
    if (!isComponentValue(value)) return { ok: false, error: `component ${identifier} contains a character outside visible ASCII` };
    lines += `${identifier}: ${value}\n`;
  }
  let signatureParams = known;
  if (signatureParams === undefined) {
    try {
      signatureParams = `(${identifiers.join(" ")})${serializeSignatureParameters(parameters)}`;
    } catch (error) {
      if (!(error instanceof SerializeError)) throw error;
      return { ok: false, error: "the signature parameters cannot be serialized" };
    }
  }
  return { ok: true, value: { base: `${lines}"@signature-params": ${signatureParams}`, signatureParams } };
}

/** The signature parameters RFC 9421 §2.3 defines: valid SF keys, so they serialize as themselves. */
const signatureParameterNames = new Set(["created", "expires", "nonce", "alg", "keyid", "tag"]);
/** Visible ASCII and space, minus DQUOTE and backslash: an sf-string that serializes with no escapes. */
const plainStringPattern = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const maxSfInteger = 999_999_999_999_999;

/**
 * serializeParameters, with the usual case done inline: every parameter a name
 * of RFC 9421 §2.3 whose value is an integer in SF range or a string needing no
 * escape. Those serialize as `;name=123` / `;name="text"` exactly (RFC 9651
 * §4.1.4, §4.1.6), and the library's generic path (an array, closures and two
 * regular expressions per value) costs more than the rest of the base. Anything
 * else goes to structured-headers, which also raises its SerializeError.
 */
function serializeSignatureParameters(parameters: Parameters): string {
  let out = "";
  for (const [name, value] of parameters) {
    if (!signatureParameterNames.has(name)) return serializeParameters(parameters);
    if (typeof value === "number") {
      if (!Number.isInteger(value) || value < -maxSfInteger || value > maxSfInteger) return serializeParameters(parameters);
      out += `;${name}=${value}`;
    } else if (typeof value === "string" && plainStringPattern.test(value)) {
      out += `;${name}="${value}"`;
    } else return serializeParameters(parameters);
  }
  return out;
}
