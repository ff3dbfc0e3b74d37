/** The masking rule set, compiled once from the policy's `masking:` section (src/policy/compile-masking.ts). */
import { createHash } from 'node:crypto';
import { MASK_CODE_VERSION } from './marker.js';
import { compileNamePatterns, type NamePatterns } from './name-patterns.js';
import type { ValueDigest } from './value-digest.js';
import { compileValueMasker, DEFAULT_VALUE_PATTERNS, type ValueMasker, type ValuePattern } from './value-patterns.js';

/** ConfigMap keys whose values are masked, whatever the value looks like. */
export const DEFAULT_CONFIGMAP_KEY_PATTERNS: readonly string[] = [
  '*password*',
  '*passwd*',
  '*secret*',
  '*token*',
  '*apikey*',
  '*api-key*',
  '*api_key*',
  '*credential*',
  '*private-key*',
  '*private_key*',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  '*.jks',
  '*.keystore',
];

/** Container env variables whose `value` is masked, whatever the value looks like. */
export const DEFAULT_ENV_NAME_PATTERNS: readonly string[] = [
  '*PASSWORD*',
  '*PASSWD*',
  '*SECRET*',
  '*TOKEN*',
  '*API_KEY*',
  '*APIKEY*',
  '*ACCESS_KEY*',
  '*PRIVATE_KEY*',
  '*CREDENTIAL*',
];

/** What the policy adds to the built-in rules (never removes: a config mistake must not unmask). */
export interface MaskRulesInput {
  configMapKeyPatterns?: readonly string[];
  envNamePatterns?: readonly string[];
  valuePatterns?: readonly ValuePattern[];
}

/** A compiled rule set. */
export interface MaskRules {
  /** Names this rule set in `X-Hoopctl-Masked`: code version and a hash of the rules. */
  version: string;
  configMapKeys: NamePatterns;
  envNames: NamePatterns;
  values: ValueMasker;
  /** Set by the gateway (value-digest.ts): whole values of known objects are masked with a digest-carrying marker. */
  digest?: ValueDigest;
}

// A stable fingerprint of the rules (8 hex digits of SHA-256); it names a rule set, it is not a security property.
function fingerprintOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Compiles the built-in rules plus the policy's additions. */
export function compileMaskRules(input: MaskRulesInput = {}): MaskRules {
  const configMapKeys = [...DEFAULT_CONFIGMAP_KEY_PATTERNS, ...(input.configMapKeyPatterns ?? [])];
  const envNames = [...DEFAULT_ENV_NAME_PATTERNS, ...(input.envNamePatterns ?? [])];
  const values = [...DEFAULT_VALUE_PATTERNS, ...(input.valuePatterns ?? [])];
  const fingerprint = fingerprintOf(JSON.stringify({ configMapKeys, envNames, values }));
  return {
    version: `${MASK_CODE_VERSION}.${fingerprint}`,
    configMapKeys: compileNamePatterns(configMapKeys),
    envNames: compileNamePatterns(envNames),
    values: compileValueMasker(values),
  };
}

/** The built-in rules alone: what the local proxy applies to its transcript when the gateway did not mask. */
export const DEFAULT_MASK_RULES: MaskRules = compileMaskRules();
