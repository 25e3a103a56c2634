/**
 * Counted nouns for messages: `plural(1, 'part')` is `1 part`, `plural(3, 'part')` is `3 parts`.
 * Nouns whose plural is not the singular plus `s` pass it as the third argument.
 */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`
}
