// Where a placeholder found in a YAML value's parsed text sits in rollback.yml itself, so a
// diagnostic can point at the placeholder rather than at the whole value.

/**
 * Where the `nth` occurrence of `placeholder` in a YAML value's parsed text sits in the
 * file: the value's source (`source`, starting at `sourceStart`) spells a placeholder the
 * same way in every YAML style, so the nth one in the text is the nth one in the source.
 * Undefined when the counts differ (an escape spelled it otherwise): then the whole value.
 */
export function placeholderOffsetInSource(value: string, offsetInValue: number, placeholder: string, source: string, sourceStart: number): number | undefined {
  const positions = (s: string): number[] => {
    const at: number[] = [];
    for (let k = s.indexOf(placeholder); k >= 0; k = s.indexOf(placeholder, k + 1)) at.push(k);
    return at;
  };
  const inValue = positions(value);
  const inSource = positions(source);
  const nth = inValue.indexOf(offsetInValue);
  if (nth < 0 || inValue.length !== inSource.length) return undefined;
  return sourceStart + inSource[nth];
}
