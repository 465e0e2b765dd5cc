import { useMemo } from 'react'
import { useAppStore } from '../store/index.ts'
import { printableInvitations } from './invitationStatus.ts'
import { QrImage } from './QrImage.tsx'

/** The sheet the print button prints (see @media print): one card per active invitation made in this tab. */
export function PrintSheet({ eventName }: { eventName: string }) {
  const invitations = useAppStore((s) => s.invitations)
  const issuedCodes = useAppStore((s) => s.issuedCodes)
  const printable = useMemo(() => printableInvitations(invitations, issuedCodes), [invitations, issuedCodes])
  if (printable.length === 0) return null

  return (
    <section className="print-sheet" aria-label="Printable invitations">
      <ul className="print-grid">
        {printable.map(({ invitation, issued }) => (
          <li key={invitation.id} className="print-card">
            <p className="print-event">{eventName}</p>
            <QrImage url={issued.url} label="Invitation QR code" className="print-qr" />
            {invitation.displayName && <p className="print-name">{invitation.displayName}</p>}
            <p className="print-cta">Scan with your phone's camera to join the chat</p>
            <p className="print-url">{issued.url}</p>
          </li>
        ))}
      </ul>
    </section>
  )
}
