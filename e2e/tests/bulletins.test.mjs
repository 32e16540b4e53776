// 通报 end to end: the county commander opens this month's work brief, issues it as a numbered
// 情况通报 from the form under it, lands on the document; the station commander of a township
// finds it waiting on /bulletins, opens it and signs; the county sees the receipt. Then the
// center's analyst issues a 诈骗手法通报 to the banks too (通报有关单位): the bank's liaison finds
// it on the desk, reads it and signs for the bank; the analyst sees the bank's receipt.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot, screenshot } from '../lib.mjs';

let browser;
let commander;
let station;
let analyst;
let bank;

before(async () => {
  browser = await launch();
  [commander, station, analyst, bank] = await Promise.all([
    loggedInPage(browser, 'commander'),
    loggedInPage(browser, 'station'),
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'bank_icbc'),
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

test('a methods alert to the banks is signed by the bank', { timeout: 60_000 }, async () => {
  await open(analyst, '/bulletins');
  const form = analyst.locator('#issue-bulletin');
  const title = `“注销校园贷”诈骗手法通报（端到端${Date.now() % 100000}）`;
  await form.locator('input[name=title]').fill(title);
  await form.locator('textarea[name=body]').fill('一、手法\n冒充客服称学生贷款需注销，否则影响征信。\n二、提示\n网点遇年轻客户大额转账“注销贷款”，立即劝阻并报警。');
  const banks = form.locator('[data-partner=to_bank]');
  assert.match(await form.locator('label:has([data-partner=to_bank])').innerText(), /工商银行/);
  await banks.check();
  await Promise.all([
    analyst.waitForURL(/\/bulletins\/\d+$/),
    form.locator('[data-action=issue-bulletin]').click(),
  ]);
  const id = new URL(analyst.url()).pathname.split('/').pop();
  const bankRow = analyst.locator('#partner-receipts tr').filter({ hasText: '工商银行' });
  await bankRow.locator('b.late').waitFor();

  await open(bank, '/');
  const tile = bank.locator('[data-desk=desk_bulletins]');
  assert.ok(Number(await tile.locator('[data-open]').innerText()) >= 1, 'the desk counts the alert');
  await Promise.all([bank.waitForURL(/\/partner-bulletins\?unsigned=1$/), tile.click()]);
  await bank.locator('#bulletins tr[data-bulletin]').filter({ hasText: title }).locator('a').click();
  await bank.waitForURL(new RegExp(`/partner-bulletins/${id}$`));
  await withShot(bank, 'partner-bulletin', async () => {
    assert.match(await bank.locator('[data-addressed]').innerText(), /致：中国工商银行/);
    assert.equal(await bank.locator('#bulletin h1').innerText(), title);
    await screenshot(bank, 'partner-bulletin-zh-desktop');
  });
  await Promise.all([
    bank.waitForResponse((r) => r.url().endsWith('/sign') && r.status() === 200),
    bank.locator('[data-action=sign-bulletin]').click(),
  ]);
  await bank.locator('#signed').waitFor();
  // The police line's bulletins stay closed to the bank.
  const closed = await bank.request.get('/bulletins');
  assert.equal(closed.status(), 403);

  await open(analyst, `/bulletins/${id}`);
  assert.doesNotMatch(await analyst.locator('#partner-receipts tr').filter({ hasText: '工商银行' }).innerText(), /待签收/);
});
