// 资金预警 end to end: the analyst uploads the national platform's list with a fund warning for a
// resident — the amount, the payee card — and finds it on the fund-warnings page waiting, the
// card masked; one click asks the payee's bank to hold the amount; the row then shows the stop,
// the warning's page shows the payment with no second button, and the queue's fund filter shows
// the person's instruction badged.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, withShot, residentOf, eventually } from '../lib.mjs';

let browser;
let analyst;
let grid;

before(async () => {
  browser = await launch();
  [analyst, grid] = await Promise.all([
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'grid', { mobile: true }),
  ]);
});
after(async () => {
  await browser?.close();
});

const CARD = '6222020123456789015';

test('a fund warning is stopped in one click and counted', { timeout: 120_000 }, async () => {
  const village = (await apiOk(grid, 'GET', '/api/v1/me')).unit_code;
  const person = await residentOf(analyst, village, 3);
  const serial = String(Date.now() % 1_000_000).padStart(6, '0');
  const pushId = `ZJE2E-${serial}`;
  const now = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
  const list = [
    '推送编号,推送时间,身份证号,预警种类,转账金额（元）,转账时间,收款账号,备注',
    `${pushId},${now},${person.resident_id},资金预警,"12,500",${now},${CARD},当事人已转账`,
  ].join('\n');

  await open(analyst, '/warnings/pushes');
  await analyst.locator('#import-pushes input[type=file]').setInputFiles({
    name: '资金预警.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(list, 'utf8'),
  });
  await analyst.locator('[data-action=import-pushes]').click();
  await analyst.locator('#import-result').waitFor();
  assert.equal(await analyst.locator('#import-result [data-funds]').innerText(), '1');
  assert.equal(
    await analyst.locator(`tr[data-push="${pushId}"] [data-kind]`).getAttribute('data-kind'),
    'fund',
  );

  // Waiting on the fund page, the card masked; one click stops it.
  const warningId = `TS-national-${pushId}`;
  await withShot(analyst, 'fund-warnings', async () => {
    await open(analyst, '/warnings/funds?days=7&awaiting=1');
    const row = analyst.locator(`tr[data-warning="${warningId}"]`);
    assert.equal(await row.getAttribute('data-stop-state'), 'awaiting');
    const payee = await row.locator('[data-payee]').innerText();
    assert.match(payee, /6222 \*\*\*\* \*\*\*\* 9015/);
    assert.ok(!payee.includes(CARD), 'the card is masked');
    assert.match(await row.locator('[data-amount]').innerText(), /12,500\.00/);
    await row.locator('[data-action=fund-stop]').click();
    await eventually(async () => {
      await open(analyst, '/warnings/funds?days=7');
      return (
        (await analyst
          .locator(`tr[data-warning="${warningId}"]`)
          .getAttribute('data-stop-state')) === 'stopped'
      );
    }, { message: 'the row shows the stop' });
  });

  // The warning's page: the payment, the stop for the amount paid at the card's bank, no second
  // button.
  await open(analyst, `/warnings/${warningId}`);
  await analyst.locator('#fund-payment').waitFor();
  assert.equal(await analyst.locator('[data-action=fund-stop]').count(), 0);
  const stop = analyst.locator('#protective-stops tr[data-stop-payment-id]');
  assert.equal(await stop.count(), 1);
  const text = await stop.innerText();
  assert.match(text, /12,500\.00/);
  assert.match(text, /工商银行/);
  assert.ok(!text.includes(CARD), 'the card is masked');

  // The queue's fund filter shows the instruction, badged.
  await open(analyst, '/instructions?tab=all&fund=1');
  assert.ok((await analyst.locator('[data-fund]').count()) >= 1);
});
