import { lazy, Suspense, useEffect, useRef } from 'react'
import { Link } from './components/Link.tsx'
import { HomePage } from './pages/HomePage.tsx'
import { JoinPage } from './pages/JoinPage.tsx'
import { NotFoundPage } from './pages/NotFoundPage.tsx'
import { type Route, useRoute } from './router.ts'
import { useAppStore } from './store/index.ts'

// Guests never need the console: it (and the QR encoder) loads only when /admin is opened.
const AdminPage = lazy(() => import('./pages/AdminPage.tsx').then((m) => ({ default: m.AdminPage })))

export function App() {
  const route = useRoute()
  const loadSession = useAppStore((s) => s.loadSession)
  // The signed-in chat fills the screen; every other page is a centred column.
  const chatMode = useAppStore((s) => route.name === 'home' && s.session.status === 'signed-in')
  const main = useRef<HTMLElement>(null)
  const focusedRoute = useRef(route)

  useEffect(() => {
    void loadSession()
  }, [loadSession])

  // After an in-app navigation, move focus to the new page so keyboard and screen-reader users start there.
  useEffect(() => {
    if (focusedRoute.current === route) return
    focusedRoute.current = route
    main.current?.focus()
  }, [route])

  const mainClass = chatMode ? 'main main-chat' : route.name === 'admin' ? 'main main-wide' : 'main'
  return (
    <div className={chatMode ? 'app app-chat' : 'app'}>
      <a className="skip-link screen-only" href="#main">
        Skip to content
      </a>
      <header className="topbar screen-only">
        <Link href="/" className="brand">
          Secura Chat
        </Link>
      </header>
      <main id="main" ref={main} tabIndex={-1} className={mainClass}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Page route={route} />
        </Suspense>
      </main>
    </div>
  )
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomePage />
    case 'join':
      return <JoinPage key={route.code} code={route.code} />
    case 'admin':
      return <AdminPage />
    case 'not-found':
      return <NotFoundPage />
  }
}
