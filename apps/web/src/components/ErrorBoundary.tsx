import { Component, type ErrorInfo, type ReactNode } from 'react'

interface ErrorBoundaryProps {
  children: ReactNode
  /** What the reload button does; a full page load by default, which fetches the app's files afresh. */
  onReload?: () => void
  /** Where a caught error is reported (the console by default). */
  onError?: (error: unknown, info: ErrorInfo) => void
}

interface ErrorBoundaryState {
  error: unknown
}

// Browsers word a failed dynamic import differently: Chromium, Firefox and Safari, in that order.
const CHUNK_FAILURE =
  /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed/i

/** A part of the app that arrives as a lazy chunk (the console, dialogs) could not be downloaded. */
export function isChunkLoadError(error: unknown): boolean {
  return error instanceof Error && CHUNK_FAILURE.test(error.message)
}

/**
 * The app's last line: without it a render error, or a lazy chunk that fails to download (offline, or a
 * deploy replaced the files), unmounts everything and leaves a blank page. Instead it says what happened
 * and offers a reload, which the outbox survives: queued messages are in IndexedDB, not in memory.
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: undefined }

  static getDerivedStateFromError(error: unknown): ErrorBoundaryState {
    // Something thrown that is not an Error (undefined, even) still counts as a failure.
    return { error: error ?? new Error('Unknown error') }
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    if (this.props.onError) this.props.onError(error, info)
    else console.error('The app failed to render', error, info.componentStack)
  }

  override render() {
    if (this.state.error === undefined) return this.props.children
    const chunk = isChunkLoadError(this.state.error)
    const reload = this.props.onReload ?? (() => window.location.reload())
    return (
      <main className="main">
        <section className="card" role="alert">
          <h1>{chunk ? 'This page could not be loaded' : 'Something went wrong'}</h1>
          <p>
            {chunk
              ? 'Part of the app could not be downloaded: the connection may be down, or a new version was installed. Reloading usually fixes it.'
              : 'The app hit an unexpected error. Reloading usually fixes it; messages waiting to be sent are kept.'}
          </p>
          <button type="button" className="button" onClick={reload}>
            Reload
          </button>
        </section>
      </main>
    )
  }
}
