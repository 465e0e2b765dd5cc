import type { ReactNode } from 'react'

interface NoticeProps {
  tone?: 'error' | 'info' | 'success'
  children: ReactNode
}

/** A message announced to screen readers: errors interrupt (alert), the rest wait their turn (status). */
export function Notice({ tone = 'info', children }: NoticeProps) {
  return (
    <p className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  )
}
