// The package names a types file it does not ship (index.ts.d): the one function used here.
declare module 'unicode-confusables' {
  /** The string with every character replaced by the prototype UTS #39 says it is confusable with. */
  export function rectifyConfusion(text: string): string
}
