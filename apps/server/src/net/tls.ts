import { execFileSync } from 'node:child_process'
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'

export interface TlsFiles {
  cert: Buffer
  key: Buffer
  /** The local certificate authority that signed `cert`, when `--https` made it (guests' phones trust it). */
  caFile?: string
}

/**
 * TLS_CERT / TLS_KEY: both or neither, readable PEM, and a key that belongs to the certificate. Checked at
 * start so that a wrong path stops the server with the variable's name instead of a stack trace at listen.
 */
export function readTls(
  certPath: string | undefined,
  keyPath: string | undefined,
): { tls?: TlsFiles; problems: string[] } {
  if (!certPath && !keyPath) return { problems: [] }
  if (!certPath) return { problems: ['TLS_CERT must be set with TLS_KEY (the certificate, PEM)'] }
  if (!keyPath) return { problems: ['TLS_KEY must be set with TLS_CERT (its private key, PEM)'] }
  const problems: string[] = []
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path)
    } catch (error) {
      problems.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
      return undefined
    }
  }
  const cert = read('TLS_CERT', certPath)
  const key = read('TLS_KEY', keyPath)
  if (!cert || !key) return { problems }
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(cert)
  } catch {
    return { problems: [`TLS_CERT: ${certPath} is not a PEM certificate`] }
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(key)))
      return { problems: [`TLS_KEY: ${keyPath} is not the private key of TLS_CERT`] }
  } catch {
    return { problems: [`TLS_KEY: ${keyPath} is not a PEM private key`] }
  }
  if (Date.parse(certificate.validTo) < Date.now())
    return { problems: [`TLS_CERT: ${certPath} expired on ${certificate.validTo}`] }
  return { tls: { cert, key }, problems: [] }
}

/**
 * `--https` without TLS_CERT: a certificate authority made once under `dir` (trusted once per phone) and a
 * server certificate it signs for localhost and the given addresses, remade when an address is new (the
 * venue's network gave the laptop another one) or it nears its end. openssl does the work: no dependency.
 */
export function localCertificate(dir: string, addresses: string[]): TlsFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const caKey = join(dir, 'ca.key')
  const caCert = join(dir, 'ca.crt')
  const key = join(dir, 'server.key')
  const cert = join(dir, 'server.crt')
  const ips = ['127.0.0.1', '::1', ...addresses]
  const names = ['localhost', ...localNames()]
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })

  if (!existsSync(caKey) || !existsSync(caCert)) {
    // iOS and Chrome accept a CA of up to ~10 years; the server certificate below stays within 397 days.
    openssl(
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', caKey, '-out', caCert, '-days', '3650'],
      ...['-subj', `/CN=Secura Chat local CA (${hostname()})`],
      ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    )
  }
  if (!covers(cert, names, ips)) {
    const work = join(dir, `work-${randomBytes(4).toString('hex')}`)
    mkdirSync(work)
    try {
      const extensions = join(work, 'ext.cnf')
      writeFileSync(
        extensions,
        [
          `subjectAltName=${[...names.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP:${ip}`)].join(',')}`,
          'basicConstraints=CA:FALSE',
          'keyUsage=critical,digitalSignature',
          'extendedKeyUsage=serverAuth',
        ].join('\n'),
      )
      const csr = join(work, 'server.csr')
      openssl(
        ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', join(work, 'server.key'), '-out', csr, '-subj', '/CN=Secura Chat'],
      )
      openssl(
        ...['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-days', '397'],
        ...['-set_serial', `0x${randomBytes(16).toString('hex')}`, '-extfile', extensions],
        ...['-out', join(work, 'server.crt')],
      )
      renameSync(join(work, 'server.key'), key)
      renameSync(join(work, 'server.crt'), cert)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }
  return { cert: readFileSync(cert), key: readFileSync(key), caFile: caCert }
}

// The laptop's own name, as phones may resolve it over mDNS (`name.local`).
function localNames(): string[] {
  const name = hostname().toLowerCase()
  if (!/^[a-z0-9-]+$/.test(name)) return []
  return [name, `${name}.local`]
}

function covers(certFile: string, names: string[], ips: string[]): boolean {
  if (!existsSync(certFile)) return false
  try {
    const certificate = new X509Certificate(readFileSync(certFile))
    // Remade a month before the end, so a long event never runs into it.
    if (Date.parse(certificate.validTo) - Date.now() < 30 * 86_400_000) return false
    return (
      names.every((n) => certificate.checkHost(n) !== undefined) &&
      ips.every((ip) => certificate.checkIP(ip) !== undefined)
    )
  } catch {
    return false
  }
}
