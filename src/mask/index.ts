/** The masking module: pure rules and maskers; the gateway and the local proxy bring the bytes. */
export { MASK_MARKER, MASKED_BASE64, MASK_CODE_VERSION, carriesMaskedValue } from './marker.js';
export { DEFAULT_VALUE_PATTERNS, compileValueMasker, parseValuePattern } from './value-patterns.js';
export type { ValueMasker, ValuePattern } from './value-patterns.js';
export { compileNamePatterns, globProblem } from './name-patterns.js';
export type { NamePatterns } from './name-patterns.js';
export { compileMaskRules, DEFAULT_CONFIGMAP_KEY_PATTERNS, DEFAULT_ENV_NAME_PATTERNS, DEFAULT_MASK_RULES } from './mask-rules.js';
export type { MaskRules, MaskRulesInput } from './mask-rules.js';
export { createMaskContext, kindForResource, LAST_APPLIED, maskAs, maskDocument, maskListElement, maskString } from './mask-object.js';
export { maskRequestBody } from './mask-request-body.js';
export type { MaskContext, MaskCounter, MaskScope } from './mask-object.js';
export { createJsonDocumentMasker, parseJsonValue } from './json-stream.js';
export { createWatchMasker } from './watch-masker.js';
export type { StreamLimits, StreamMasker } from './json-stream.js';
export { createLineMasker, maskArgv, maskRequestUri } from './line-masker.js';
export { MAX_RECORDED_URI_CHARS, maskRequestUriBounded } from './bounded-uri.js';
