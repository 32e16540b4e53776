// 通报 end to end: the county commander opens this month's work brief, issues it as a numbered
// 情况通报 from the form under it, lands on the document; the station commander of a township
// finds it waiting on /bulletins, opens it and signs; the county sees the receipt.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot, screenshot } from '../lib.mjs';

let browser;
let commander;
let station;

before(async () => {
  browser = await launch();
  [commander, station] = await Promise.all([
    loggedInPage(browser, 'commander'),
    loggedInPage(browser, 'station'),
  ]);
});
after(async () => {
  await browser?.close();
});

test('a brief issued as a bulletin is signed by a township', { timeout: 60_000 }, async () => {
  await open(commander, '/statistics?period=month&view=brief');
  const form = commander.locator('#issue-situation');
  const title = `余姚市电信网络诈骗情况通报（端到端${Date.now() % 100000}）`;
  await form.locator('input[name=title]').fill(title);
  const body = await form.locator('textarea[name=body]').inputValue();
  assert.ok(body.startsWith('一、发案情况'), `the brief's text: ${body.slice(0, 40)}`);
  await Promise.all([
    commander.waitForURL(/\/bulletins\/\d+$/),
    form.locator('[data-action=issue-situation]').click(),
  ]);
  const path = new URL(commander.url()).pathname;
  await withShot(commander, 'bulletin', async () => {
    assert.match(await commander.locator('[data-number]').innerText(), /情况通报 · .+ \d{4}年第\d+期/);
    assert.equal(await commander.locator('#bulletin h1').innerText(), title);
    assert.ok(await commander.locator('#bulletin h2').count() >= 3, 'the brief\'s sections as headings');
    await screenshot(commander, 'bulletin-zh-desktop');
  });

  await open(station, '/bulletins?unsigned=1');
  const row = station.locator('#bulletins tr[data-bulletin]').filter({ hasText: title });
  await row.locator('[data-unsigned]').waitFor();
  await open(station, path);
  await Promise.all([
    station.waitForResponse((r) => r.url().endsWith('/sign') && r.status() === 200),
    station.locator('[data-action=sign-bulletin]').click(),
  ]);
  await station.locator('#signed').waitFor();

  await open(commander, '/bulletins');
  const mine = commander.locator('#bulletins tr[data-bulletin]').filter({ hasText: title });
  assert.match(await mine.locator('[data-receipts]').innerText(), /^1 \/ \d+$/);
  await screenshot(commander, 'bulletins-zh-desktop');
});
