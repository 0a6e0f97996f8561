import { remote } from 'webdriverio';
import { mkdtempSync } from 'node:fs';
import { test } from 'node:test';
test('smoke', async () => {
  const dir = mkdtempSync(process.env.E2E_WORK + '/data-');
  const b = await remote({ hostname: '127.0.0.1', port: Number(process.env.E2E_PORT), logLevel: 'warn',
    capabilities: { 'tauri:options': { application: process.env.E2E_APP, args: ['--data', dir] }, 'wdio:enforceWebDriverClassic': true } });
  try {
    const t0 = Date.now();
    await b.$('[data-testid="nav-customers"]').waitForDisplayed({ timeout: 15000 });
    console.log('ready', Date.now() - t0);
    await b.$('[data-testid="nav-customers"]').click();
    await b.$('[data-testid="customer-new"]').click();
    await b.$('[data-testid="customer-name"]').waitForDisplayed();
    const active = await b.getActiveElement();
    console.log('active', JSON.stringify(active));
    await b.keys(['A', 'c', 'm', 'e']);
    console.log('name value', await b.$('[data-testid="customer-name"]').getValue());
    console.log('number value', await b.$('[data-testid="customer-number"]').getValue());
  } finally { await b.deleteSession(); }
});
