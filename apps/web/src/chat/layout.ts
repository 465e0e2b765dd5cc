/** Side by side from this width; below it, the list or one conversation. Matches the media queries in styles.css. */
export const WIDE_LAYOUT = '(min-width: 48rem)'

export const isWideLayout = (): boolean => window.matchMedia(WIDE_LAYOUT).matches
