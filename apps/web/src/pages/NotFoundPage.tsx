import { Link } from '../components/Link.tsx'
import { useDocumentTitle } from '../hooks/useDocumentTitle.ts'

export function NotFoundPage() {
  useDocumentTitle('Page not found')
  return (
    <section className="card">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. If you scanned an invitation, check that the whole code was read.
      </p>
      <Link href="/" className="button button-secondary">
        Go to the start page
      </Link>
    </section>
  )
}
