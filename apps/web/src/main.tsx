import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
// The base stylesheet first: feature stylesheets (chat/chat.css) come after it and may refine it.
import './styles.css'
import { App } from './App.tsx'
import { ErrorBoundary } from './components/ErrorBoundary.tsx'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')

createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>
      <App />
    </ErrorBoundary>
  </StrictMode>,
)

// The app shell's service worker (sw/service-worker.js): a reload with no network still opens the chat.
// Browsers offer service workers only to secure contexts: on plain http from a LAN address there is none,
// and the app runs without an offline shell.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => undefined)
  })
}
