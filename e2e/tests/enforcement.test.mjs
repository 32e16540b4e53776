// 打击成效 in the browser: the analyst opens a case, marks it 公安部督办 with its status, adds a
// suspect who got away and puts them on the wanted list (上网追逃) from the suspect's page; the
// case page shows the supervision and the suspect 在逃; the case list finds the case among the
// supervised ones.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot } from '../lib.mjs';

let browser;
let analyst;

before(async () => {
  browser = await launch();
  analyst = await loggedInPage(browser, 'analyst');
});
after(async () => {
  await browser?.close();
});

test('督办 and 上网追逃: a supervised case and a suspect at large', { timeout: 90_000 }, async () => {
  await open(analyst, '/cases');
  const form = analyst.locator('#new-case');
  await form.locator('input[name=victim_name]').fill('钱文静');
  await form.locator('input[name=loss_yuan]').fill('1860000');
  await form.locator('textarea[name=narrative]').fill('钱文静被拉入投资群，在虚假理财平台上先后充值一百八十六万元，提现时被告知需缴纳保证金后平台关闭。');
  await Promise.all([analyst.waitForURL(/\/cases\/AJ\d+$/), form.locator('[data-action=open-case]').click()]);
  const caseId = new URL(analyst.url()).pathname.split('/').pop();

  // Supervised by the Ministry, still under investigation.
  const status = analyst.locator('#enforcement-form');
  await status.locator('select[name=supervision]').selectOption('ministry');
  await Promise.all([analyst.waitForEvent('load'), status.locator('[data-action=set-enforcement]').click()]);
  await analyst.locator('#enforcement [data-supervision=ministry]').waitFor();
  assert.match(await analyst.locator('#enforcement [data-supervision]').innerText(), /公安部督办/);

  // A suspect who got away, then wanted from the suspect's page.
  const suspect = analyst.locator('#suspect-form');
  await suspect.locator('input[name=name]').fill('孙某');
  await suspect.locator('select[name=role]').selectOption('fraudster');
  await Promise.all([analyst.waitForEvent('load'), suspect.locator('[data-action=add-suspect]').click()]);
  const row = analyst.locator('#suspects tr[data-suspect-id]');
  await row.first().waitFor();
  await Promise.all([analyst.waitForURL(/\/suspects\/\d+$/), row.first().locator('[data-action=suspect]').click()]);
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  await analyst.locator('#wanted-form input[name=wanted_on]').fill(today);
  await Promise.all([analyst.waitForURL(new RegExp(`/cases/${caseId}`)), analyst.locator('#wanted-form [data-action=set-wanted]').click()]);
  await withShot(analyst, 'case-enforcement', async () => {
    await analyst.locator('#suspects [data-at-large]').waitFor();
    assert.equal(await analyst.locator('#suspects [data-at-large]').count(), 1);
  });

  // The case list: among the supervised cases, not among those of the city bureau.
  await open(analyst, '/cases?supervised=ministry');
  await analyst.locator(`#cases tr[data-case-id="${caseId}"]`).waitFor();
  await open(analyst, '/cases?supervised=city');
  assert.equal(await analyst.locator(`#cases tr[data-case-id="${caseId}"]`).count(), 0);
});
