// 带破/上级线索破案 end to end: the county commander records another area's case solved by a
// station on `/solved-elsewhere`; it is listed with the station, the tally counts it, and the
// statistics' 打击成效 shows 共破获 with the overall solve rate.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot } from '../lib.mjs';

let browser;
let commander;

before(async () => {
  browser = await launch();
  commander = await loggedInPage(browser, 'commander');
});
after(async () => {
  await browser?.close();
});

test('a case solved for another area is recorded and counted', { timeout: 90_000 }, async () => {
  const reference = `A-E2E-${Date.now() % 1_000_000}`;
  await open(commander, '/solved-elsewhere');
  const before = Number(await commander.locator('[data-figure=other_area]').innerText());
  const form = commander.locator('#se-form');
  await form.locator('select[name=unit_code]').selectOption({ index: 1 });
  const station = (await form.locator('select[name=unit_code] option:checked').innerText()).trim();
  await form.locator('select[name=kind]').selectOption('other_area');
  await form.locator('input[name=reference]').fill(reference);
  await form.locator('input[name=origin]').fill('四川省成都市公安局');
  await form.locator('select[name=fraud_type]').selectOption({ index: 1 });
  await form.locator('input[name=loss_yuan]').fill('86000');
  const [answer] = await Promise.all([
    commander.waitForResponse((r) => r.url().endsWith('/solved-elsewhere') && r.request().method() === 'POST'),
    form.locator('[data-action=record-solved-elsewhere]').click(),
  ]);
  if (answer.status() >= 300) assert.fail(`recorded: ${answer.status()} ${await answer.text()}`);
  await withShot(commander, 'solved-elsewhere', async () => {
    const row = commander.locator('#solved-elsewhere tr', { hasText: reference });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-kind'), 'other_area');
    assert.match(await row.innerText(), new RegExp(station.replace(/^[^\u4e00-\u9fff]+/, '').slice(0, 4)));
    assert.equal(Number(await commander.locator('[data-figure=other_area]').innerText()), before + 1);
  });
  await open(commander, '/statistics?period=year');
  assert.ok(Number(await commander.locator('[data-stat=enf-solved-all]').innerText()) >= 1);
  // A percentage, or — while the period has no local case to divide by.
  assert.match(await commander.locator('[data-stat=enf-overall-rate]').innerText(), /%$|^—$/);
});
