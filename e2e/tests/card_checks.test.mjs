// 开卡前核验 as it is used: the analyst lists a resident as a card seller with a financial
// punishment; at ICBC's counter the clerk checks the resident before opening a card and is told
// to refuse, with the punishment as the reason and nothing else of the police's; the clerk
// records the refusal; the analyst reads the same check with every reason, marked police-only.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, residentOf, withShot } from '../lib.mjs';

let browser;
let analyst;
let bank;

before(async () => {
  browser = await launch();
  [analyst, bank] = await Promise.all([
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'bank_icbc'),
  ]);
});
after(async () => {
  await browser?.close();
});

test('开卡前核验: a punished card seller is refused at the counter', { timeout: 120_000 }, async () => {
  const root = (await apiOk(analyst, 'GET', '/api/v1/me')).unit_code;
  const person = await residentOf(analyst, root, 31);

  await open(analyst, '/key-persons');
  const add = analyst.locator('#add-key-person');
  await add.locator('input[name=resident_id]').fill(person.resident_id);
  await add.locator('select[name=category]').selectOption('two_cards');
  await add.locator('textarea[name=reason]').fill('端到端测试：出售银行卡，惩戒期内');
  await Promise.all([
    analyst.waitForURL(/\/key-persons\/[^/?]+$/),
    add.locator('[data-action=add-key-person]').click(),
  ]);
  const punish = analyst.locator('#add-punishment');
  await punish.locator('select[name=punishment]').selectOption('financial');
  await punish.locator('[data-action=add-punishment]').click();
  await analyst.locator('#key-person-events li[data-event=punishment]').first().waitFor();

  // The counter checks the applicant.
  await open(bank, '/card-checks');
  const form = bank.locator('#check-applicant');
  await form.locator('input[name=resident_id]').fill(person.resident_id);
  await form.locator('input[name=holder_name]').fill(person.name);
  await form.locator('input[name=outlet]').fill('余姚城东支行');
  await form.locator('input[name=clerk]').fill('柜员07');
  await Promise.all([
    bank.waitForURL(/\/card-checks\/\d+$/),
    form.locator('[data-action=check-applicant]').click(),
  ]);
  const checkUrl = bank.url();
  await withShot(bank, 'card-check-refuse', async () => {
    assert.equal(await bank.locator('#advice [data-verdict]').getAttribute('data-verdict'), 'refuse');
    const advice = await bank.locator('#advice-lines').innerText();
    assert.match(advice, /惩戒期内/);
    assert.equal(await bank.locator('#check-findings').count(), 0, 'the counter reads no police reasons');
    assert.doesNotMatch(await bank.locator('main').innerText(), /涉诈重点人员/);
  });

  // The clerk records the refusal; the page reloads with it.
  const outcome = bank.locator('#record-outcome');
  await outcome.locator('select[name=outcome]').selectOption('refused');
  await outcome.locator('textarea[name=note]').fill('已告知惩戒，拒绝办理');
  await outcome.locator('[data-action=record-outcome]').click();
  await bank.locator('#record-outcome').waitFor({ state: 'detached' });
  assert.match(await bank.locator('#check-facts [data-outcome]').innerText(), /已拒绝办理/);

  // The analyst reads every reason.
  const id = checkUrl.split('/').pop();
  await open(analyst, `/card-checks/${id}`);
  await withShot(analyst, 'card-check-police', async () => {
    assert.ok(await analyst.locator('#check-findings [data-police-only]').count() >= 1);
    assert.match(await analyst.locator('#check-facts [data-outcome]').innerText(), /已拒绝办理/);
  });
  await open(analyst, '/card-checks?verdict=refuse');
  await analyst.locator(`#ck-list tr[data-check="${id}"]`).waitFor();
});
