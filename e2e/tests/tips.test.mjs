// 举报线索 end to end: the grid worker, on the phone, reports a scam number a resident was
// called from, with the resident's callback number; the analyst finds it waiting in the list
// (the resident's number masked), opens it, confirms it with what was done and follows the
// link to ask the operator to shut the number down; the grid worker's phone shows the finding.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot, screenshot } from '../lib.mjs';

let browser;
let grid;
let analyst;

before(async () => {
  browser = await launch();
  [grid, analyst] = await Promise.all([
    loggedInPage(browser, 'grid', { mobile: true }),
    loggedInPage(browser, 'analyst'),
  ]);
});
after(async () => {
  await browser?.close();
});

test('a tip from the round is checked by the center', { timeout: 60_000 }, async () => {
  const number = `170${String(Date.now() % 100000000).padStart(8, '0')}`;
  await open(grid, '/m');
  await Promise.all([grid.waitForURL(/\/m\/tips$/), grid.locator('#tips-link').click()]);
  const form = grid.locator('#report-tip');
  await form.locator('select[name=kind]').selectOption('phone');
  await form.locator('input[name=subject]').fill(number);
  await form.locator('textarea[name=detail]').fill('自称快递客服，说包裹丢失要理赔，让下载会议软件');
  await form.locator('select[name=source]').selectOption('resident');
  await form.locator('input[name=reporter_phone]').fill('13900001234');
  await Promise.all([
    grid.waitForURL(/\/m\/tips\?saved=1$/),
    form.locator('[data-action=report-tip]').click(),
  ]);
  await grid.locator('#tip-saved').waitFor();
  const mine = grid.locator('#my-tips li[data-tip]').filter({ hasText: number });
  assert.equal(await mine.getAttribute('data-state'), 'pending');

  await open(analyst, '/tips?state=pending');
  const row = analyst.locator('#tips tr[data-tip]').filter({ hasText: number });
  assert.match(await row.innerText(), /139\*\*\*\*1234/);
  await Promise.all([analyst.waitForURL(/\/tips\/\d+$/), row.locator('a').click()]);
  await withShot(analyst, 'tip', async () => {
    assert.equal(await analyst.locator('[data-reporter]').innerText(), '13900001234');
    const check = analyst.locator('#review-tip');
    await check.locator('select[name=state]').selectOption('confirmed');
    await check.locator('textarea[name=finding]').fill('170虚拟号段冒充快递客服，已申请运营商关停');
    await Promise.all([
      analyst.waitForResponse((r) => r.url().endsWith('/review') && r.status() === 200),
      check.locator('[data-action=review-tip]').click(),
    ]);
    await analyst.locator('#tip[data-state=confirmed]').waitFor();
    await screenshot(analyst, 'tip-zh-desktop');
  });
  await Promise.all([
    analyst.waitForURL(/\/number-disposals\?ask=/),
    analyst.locator('#dispose-number').click(),
  ]);
  assert.equal(await analyst.locator('#request-disposal input[name=number]').inputValue(), number);

  await open(grid, '/m/tips');
  const checked = grid.locator('#my-tips li[data-tip]').filter({ hasText: number });
  assert.equal(await checked.getAttribute('data-state'), 'confirmed');
  assert.match(await checked.innerText(), /已申请运营商关停/);
});
