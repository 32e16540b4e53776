// 提请惩戒 end to end: the analyst lists a card seller as a key person and, on the dossier,
// proposes a financial punishment; on /key-persons/proposals the center reports it up and then
// records the decision in force; the dossier shows the punishment among its measures. While
// it is up, the center's 报送名单 download names the person in full.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, residentOf, screenshot } from '../lib.mjs';

let browser;
let analyst;

before(async () => {
  browser = await launch();
  analyst = await loggedInPage(browser, 'analyst');
});
after(async () => {
  await browser?.close();
});

test('a punishment proposed on a dossier goes up and comes back in force', { timeout: 90_000 }, async () => {
  const root = (await apiOk(analyst, 'GET', '/api/v1/me')).unit_code;
  const person = await residentOf(analyst, root, 23);
  await open(analyst, '/key-persons');
  const add = analyst.locator('#add-key-person');
  await add.locator('input[name=resident_id]').fill(person.resident_id);
  await add.locator('select[name=category]').selectOption('two_cards');
  await add.locator('textarea[name=reason]').fill('端到端测试：出售银行卡');
  await Promise.all([
    analyst.waitForURL(/\/key-persons\/[^/?]+$/),
    add.locator('[data-action=add-key-person]').click(),
  ]);
  const dossier = new URL(analyst.url()).pathname;

  const form = analyst.locator('#propose');
  await form.locator('select[name=kind]').selectOption('punishment');
  await form.locator('select[name=punishment_kind]').selectOption('financial');
  await form.locator('input[name=reason]').fill('出售银行卡2张，涉案资金流入');
  await form.locator('[data-action=propose]').click();
  await analyst.locator('#dossier-proposals tr[data-state=proposed]').waitFor();

  await open(analyst, '/key-persons/proposals?state=proposed');
  const row = analyst.locator('#kpp tr[data-proposal]').filter({ hasText: '出售银行卡2张' });
  await row.locator('[data-action=report-proposal]').click();
  await analyst.locator('#kpp tr[data-state=reported]').filter({ hasText: '出售银行卡2张' }).waitFor();
  await open(analyst, '/key-persons/proposals?state=reported');
  // The 报送名单 names the person in full: the XLSX link downloads, its CSV twin holds the row.
  const [download] = await Promise.all([
    analyst.waitForEvent('download'),
    analyst.locator('[data-action=report-list-punishment]').click(),
  ]);
  assert.match(download.suggestedFilename(), /^report_list_punishment_\d{8}\.xlsx$/);
  const listed = await analyst.request.get('/key-persons/proposals/report-list?kind=punishment&format=csv');
  assert.equal(listed.status(), 200);
  const csv = await listed.text();
  const line = csv.split('\n').find((l) => l.includes('出售银行卡2张'));
  assert.ok(line && line.includes(person.resident_id), `the person in full: ${line}`);
  const up = analyst.locator('#kpp tr[data-proposal]').filter({ hasText: '出售银行卡2张' });
  await up.locator('[data-action=in-force-proposal]').click();
  await analyst.locator('#kpp tr[data-state=in_force]').filter({ hasText: '出售银行卡2张' }).waitFor();
  await screenshot(analyst, 'key-person-proposals-zh-desktop');

  await open(analyst, dossier);
  await analyst.locator('#dossier-proposals tr[data-state=in_force]').waitFor();
  const measures = await analyst.locator('#key-person-facts [data-measures]').innerText();
  assert.match(measures, /惩戒/, `the punishment on the dossier: ${measures}`);
});
