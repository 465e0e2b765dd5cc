import { type FormEvent, useState } from 'react'
import { Notice } from '../components/Notice.tsx'
import { useAppStore } from '../store/index.ts'

/** Asks for the operator's admin token; it stays in this tab only (sessionStorage). */
export function AdminTokenForm() {
  const setAdminToken = useAppStore((s) => s.setAdminToken)
  const notice = useAppStore((s) => s.adminNotice)
  const [token, setToken] = useState('')

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const value = token.trim()
    if (value) setAdminToken(value)
  }

  return (
    <section className="card" aria-labelledby="admin-token-title">
      <h2 id="admin-token-title">Sign in with the admin token</h2>
      <p className="muted">
        It is the server's <code>ADMIN_TOKEN</code>, or the one it printed at first start and keeps in the
        file <code>admin-token</code> of its data folder. This tab keeps it until it closes.
      </p>
      {notice && <Notice tone="error">{notice}</Notice>}
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="admin-token">Admin token</label>
          <input
            id="admin-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        </div>
        <button type="submit" className="button" disabled={!token.trim()}>
          Open the console
        </button>
      </form>
    </section>
  )
}
