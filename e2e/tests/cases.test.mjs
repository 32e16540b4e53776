// Cases and emergency stop-payments end to end: the analyst opens a defrauded person's case,
// imports the bank extract, traces the money and requests stops; the ICBC liaison sees only
// ICBC's request and confirms the amount held; the case page shows it, and its returns plan.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { launch, loggedInPage, open, api, withShot, eventually } from '../lib.mjs';

let browser;
let analyst;
let liaison;

before(async () => {
  browser = await launch();
  [analyst, liaison] = await Promise.all([
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'bank_icbc'),
  ]);
});
after(async () => {
  await browser?.close();
});

const VICTIM = '6228480000000000011'; // ABC
const MULE_ICBC = '6222020000000000012'; // ICBC keeps ¥20,000
const MULE_CCB = '6217000000000000013'; // CCB receives ¥30,000

function extractCsv() {
  const dir = mkdtempSync(join(tmpdir(), 'fanzha-extract-'));
  const path = join(dir, 'icbc_extract.csv');
  const t0 = new Date(Date.now() - 3600_000);
  const at = (min) => new Date(t0.getTime() + min * 60_000).toISOString();
  writeFileSync(path, [
    '交易流水号,交易时间,付款账号,收款账号,交易金额,交易渠道',
    `T1,${at(0)},${VICTIM},${MULE_ICBC},50000.00,手机银行`,
    `T2,${at(10)},${MULE_ICBC},${MULE_CCB},30000.00,网银`,
    `T3,not-a-time,${MULE_ICBC},${MULE_CCB},1.00,网银`,
  ].join('\n'));
  return path;
}

test('case → extract → trace → stop-payments → the liaison confirms → held on the case page', { timeout: 90_000 }, async () => {
  await open(analyst, '/cases');
  const form = analyst.locator('#new-case');
  await form.locator('input[name=victim_name]').fill('测试受害人');
  await form.locator('input[name=loss_yuan]').fill('50000');
  await form.locator('input[name=victim_account]').fill(VICTIM);
  await form.locator('textarea[name=narrative]').fill('自称公安局民警来电，称其涉嫌洗钱，要求将资金转入安全账户配合调查，随后通过手机银行转账五万元。');
  await Promise.all([
    analyst.waitForURL(/\/cases\/AJ\d+$/),
    form.locator('[data-action=open-case]').click(),
  ]);
  const caseId = new URL(analyst.url()).pathname.split('/').pop();
  // The classifier reads the narrative: impersonating police.
  assert.equal(await analyst.locator('[data-fraud-type]').getAttribute('data-fraud-type'), 'impersonating_police');

  await withShot(analyst, 'case-trace', async () => {
    await analyst.locator('input[type=file][name=file]').setInputFiles(extractCsv());
    await analyst.locator('[data-action=upload]').click();
    await eventually(async () => (await analyst.locator('[data-transfers]').innerText()) === '2', {
      message: 'two transfers taken in (the bad row quarantined)',
    });
    assert.match(await analyst.locator('pre.notice').innerText(), /icbc_extract\.csv:\d+/);
    await analyst.locator('[data-action=trace]').click();
    await analyst.locator('#requests tr[data-stop-payment-id]').nth(1).waitFor();
    assert.equal(await analyst.locator('#requests tr[data-stop-payment-id]').count(), 2);
  });

  // The ICBC liaison sees ICBC's request only, with its 30-minute countdown.
  await open(liaison, '/stop-payments');
  await withShot(liaison, 'stop-payment-board', async () => {
    const rows = liaison.locator('#stop-payments tr[data-stop-payment-id]');
    await rows.first().waitFor();
    const texts = await rows.allInnerTexts();
    assert.ok(texts.every((t) => t.includes('工商银行')), `liaison sees only ICBC: ${texts}`);
    const mine = rows.filter({ hasText: MULE_ICBC });
    await mine.locator('.countdown').waitFor();
    await mine.locator('input[name=amount_yuan]').fill('20000');
    await mine.locator('[data-action=confirm-held]').click();
    await liaison.locator(`#stop-payments tr[data-state=held]`).filter({ hasText: MULE_ICBC }).waitFor();
  });

  // The CCB request exists but is not the ICBC liaison's: not found for them.
  const ccbId = await analyst.locator('#requests tr[data-stop-payment-id]').filter({ hasText: '建设银行' }).getAttribute('data-stop-payment-id');
  const foreign = await api(liaison, 'POST', `/stop-payments/${ccbId}/act`, null, {
    form: { action: 'held', amount_yuan: '1' },
  });
  assert.equal(foreign.status, 404, `CCB request for the ICBC liaison: ${foreign.status}`);

  await open(analyst, `/cases/${caseId}`);
  assert.equal(await analyst.locator('[data-held-total]').innerText(), '¥20,000.00');

  // 发还计算: the held ICBC account's returns plan gives this victim all 20,000 yuan, and asks
  // for a freeze before anything goes back.
  await analyst.locator('#requests [data-action=returns-plan]').first().click();
  await analyst.waitForURL(/\/stop-payments\/[^/]+\/returns$/);
  assert.equal(await analyst.locator('[data-pool]').getAttribute('data-pool'), '2000000');
  assert.equal(await analyst.locator(`#claims tr[data-case-id="${caseId}"]`).getAttribute('data-share'), '2000000');
  assert.equal(await analyst.locator('#returns .notice').count(), 1);

  // The statistics tile writes the held total the way dashboards do (万 above ten thousand
  // yuan, so it fits its tile), with the exact amount as its tooltip.
  await open(analyst, '/statistics?period=7d');
  const held = analyst.locator('[data-stat=held]');
  assert.match(await held.innerText(), /^¥\d+\.\d\d万$/);
  const exact = await held.locator('xpath=..').getAttribute('title');
  assert.match(exact, /^¥[\d,]+\.\d\d$/);
  assert.ok(Number(exact.replace(/[¥,]/g, '')) >= 20000, exact);
});

test('接警即止付: the account the victim names on the form is asked to stop as the case opens', { timeout: 60_000 }, async () => {
  // A Bank of Communications card typed in groups, and a payment platform's account.
  const COMM = '6222600000000000016';
  const typed = COMM.replace(/(\d{4})(?=\d)/g, '$1 ');
  await open(analyst, '/cases');
  const form = analyst.locator('#new-case');
  await form.locator('input[name=victim_name]').fill('测试受害人');
  await form.locator('input[name=loss_yuan]').fill('8000');
  await form.locator('input[name=suspect_accounts]').fill(`${typed}、zfb_fraud_e2e`);
  await form.locator('textarea[name=narrative]').fill('网友推荐投资平台，受害人按客服指引向对方银行卡转账八千元后无法提现。');
  await Promise.all([
    analyst.waitForURL(/\/cases\/AJ\d+$/),
    form.locator('[data-action=open-case]').click(),
  ]);
  await withShot(analyst, 'case-intake-stops', async () => {
    const section = analyst.locator('#intake-stops');
    await section.waitFor();
    assert.equal(await section.locator('tr[data-intake=requested]').count(), 1);
    assert.equal(await section.locator('tr[data-intake=not_a_card]').count(), 1);
    assert.match(await section.locator('tr[data-intake=requested]').innerText(), /交通银行/);
    // Masked on the page; marked in the requests table, with its 30-minute countdown.
    assert.ok(!(await section.innerText()).includes(COMM));
    const request = analyst.locator('#requests tr[data-stop-payment-id]').filter({ has: analyst.locator('[data-intake-stop]') });
    assert.equal(await request.count(), 1);
    await request.locator('.countdown').waitFor();
    assert.equal(await analyst.locator('[data-action=intake-stops]').count(), 0, 'nothing left to ask');
  });
});
