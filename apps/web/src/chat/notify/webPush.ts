import type { PushKeyResponse } from '@secura/shared'
import { request } from '../../api/http.ts'

/**
 * Web Push needs a service worker and the Push API, which browsers offer only in a secure context (https,
 * or localhost). On the venue's plain http there is neither, and the settings say what https would add.
 */
export function pushAvailable(): boolean {
  return (
    window.isSecureContext &&
    'serviceWorker' in navigator &&
    'PushManager' in window &&
    'Notification' in window
  )
}

async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  return navigator.serviceWorker.getRegistration()
}

/** This browser's subscription, if it has one. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  const reg = await registration()
  return reg ? reg.pushManager.getSubscription() : null
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  const bytes = new Uint8Array(new ArrayBuffer(binary.length))
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** Asks the browser's permission (from the guest's click), subscribes, and tells the server. */
export async function enablePush(): Promise<void> {
  const permission = await Notification.requestPermission()
  if (permission !== 'granted')
    throw new Error('Notifications are blocked for this site: allow them in the browser settings.')
  const reg = await registration()
  if (!reg) throw new Error('This page has no service worker yet: reload it and try again.')
  const { publicKey } = await request<PushKeyResponse>('GET', '/api/push/key', { token: null })
  const existing = await reg.pushManager.getSubscription()
  const subscription =
    existing ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }))
  await request('POST', '/api/push/subscriptions', { token: null, body: subscription.toJSON() })
}

export async function disablePush(): Promise<void> {
  const subscription = await currentSubscription()
  if (!subscription) return
  await request('DELETE', '/api/push/subscriptions', {
    token: null,
    body: { endpoint: subscription.endpoint },
  })
  await subscription.unsubscribe()
}
