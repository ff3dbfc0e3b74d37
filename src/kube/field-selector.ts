/**
 * The object name a list/watch is narrowed to by `fieldSelector=metadata.name=x`, as
 * kube-apiserver's RequestInfoFactory reads it (FieldSelector.RequiresExactMatch("metadata.name"),
 * https://github.com/kubernetes/kubernetes/blob/v1.32.0/staging/src/k8s.io/apimachinery/pkg/fields/selector.go).
 * Read conservatively: when in doubt, no name, which can only make a `resourceNames` rule not match.
 */

/** A value kube accepts as a name and that carries no selector escapes (`\,` `\=`), which we do not interpret. */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/;

/** Integer ListOptions fields: if one fails to parse, kube drops the whole ListOptions, field selector included. */
const INTEGER_OPTIONS = ['limit', 'timeoutSeconds'];

/** Returns the name required by the first `fieldSelector` value, or '' when there is none or it is not plain. */
export function fieldSelectorName(query: Map<string, string[]>): string {
  const selector = query.get('fieldSelector')?.[0];
  if (selector === undefined || selector.includes('\\')) return '';
  for (const key of INTEGER_OPTIONS) {
    const v = query.get(key)?.[0];
    if (v !== undefined && !/^-?[0-9]+$/.test(v)) return '';
  }
  let found = '';
  for (const term of selector.split(',')) {
    const m = /^([^=!]*)(!=|==|=)(.*)$/.exec(term);
    if (m === null) return ''; // kube answers 400 for a term without an operator
    const [, field, op, value] = m;
    if (value === undefined || value.includes('=') || value.includes('!')) return '';
    if (field !== 'metadata.name' || op === '!=') continue;
    if (!PLAIN_NAME.test(value) || value === '.' || value === '..') return '';
    if (found !== '' && found !== value) return ''; // contradictory terms: kube takes the first; we take none
    found = value;
  }
  return found;
}
