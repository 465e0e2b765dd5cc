/** 'copied': it is on the clipboard; 'selected': it is selected on the page for the user to copy. */
export type CopyResult = 'copied' | 'selected'

/**
 * Puts `text` on the clipboard. The clipboard API exists only in secure contexts (https, localhost): on
 * plain http from a LAN address the text shown in `element` is selected and copied the old way
 * (execCommand, still honoured during a click); if even that is refused it stays selected.
 */
export async function copyText(text: string, element: HTMLElement): Promise<CopyResult> {
  if (typeof navigator.clipboard?.writeText === 'function') {
    try {
      await navigator.clipboard.writeText(text)
      return 'copied'
    } catch {
      // Refused (no permission, page not focused): the selection below still works.
    }
  }
  const selection = window.getSelection()
  if (!selection) return 'selected'
  const range = document.createRange()
  range.selectNodeContents(element)
  selection.removeAllRanges()
  selection.addRange(range)
  try {
    // Deprecated but the one way left without the clipboard API; it copies the selection.
    return document.execCommand('copy') ? 'copied' : 'selected'
  } catch {
    return 'selected'
  }
}
