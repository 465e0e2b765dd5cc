import { defineConfig, devices } from '@playwright/test'
import { VENUE_HOST } from './global-setup.ts'

/**
 * Two or more real browsers (Debian's Chromium) against the real server, which global-setup.ts starts
 * on a fresh database (Postgres when DATABASE_URL is set, else embedded PGlite) and stops afterwards.
 * Screenshots of the main screens go to artifacts/screenshots; failures keep theirs in test-results/.
 */
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    // A LAN-like name for the server (insecure-context.spec.ts): a page from it is not a secure context.
    `--host-resolver-rules=MAP ${VENUE_HOST} 127.0.0.1`,
  ],
}

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  outputDir: './test-results',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // The scenarios share one server, and one of them restarts it: one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: process.env.CI
    ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]]
    : 'list',
  use: {
    ...devices['Desktop Chrome'],
    launchOptions: chromium,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    locale: 'en-GB',
    timezoneId: 'Europe/Paris',
  },
})
