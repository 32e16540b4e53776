// 存量卡清理 as it is used: the analyst lists a resident as a card seller and records a financial
// punishment on the dossier; ICBC's daily new-card list brings an account of theirs; on
// /card-cleanups the analyst sees the resident among who would be asked about at ICBC and asks
// the bank; ICBC's liaison finds the request (holder masked in the list, in full on its page),
// answers 已清理 with the accounts closed (the same answer sent again in the bank's answer file
// comes back as answered already); the analyst's figures and list count the answer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, residentOf, withShot, screenshot } from '../lib.mjs';

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

/** A card number with its Luhn check digit. */
function luhn(body) {
  let sum = 0;
  [...body].reverse().forEach((d, i) => {
    let v = Number(d);
    if (i % 2 === 0) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  });
  return body + ((10 - (sum % 10)) % 10);
}

test('存量卡清理: a punished card seller\'s ICBC account is cleaned on request', { timeout: 120_000 }, async () => {
  const root = (await apiOk(analyst, 'GET', '/api/v1/me')).unit_code;
  const person = await residentOf(analyst, root, 23);

  // The dossier and the punishment in force from today.
  await open(analyst, '/key-persons');
  const add = analyst.locator('#add-key-person');
  await add.locator('input[name=resident_id]').fill(person.resident_id);
  await add.locator('select[name=category]').selectOption('two_cards');
  await add.locator('textarea[name=reason]').fill('端到端测试：出售银行卡，存量卡待清理');
  await Promise.all([
    analyst.waitForURL(/\/key-persons\/[^/?]+$/),
    add.locator('[data-action=add-key-person]').click(),
  ]);
  const punish = analyst.locator('#add-punishment');
  await punish.locator('select[name=punishment]').selectOption('financial');
  await punish.locator('[data-action=add-punishment]').click();
  await analyst.locator('#key-person-events li[data-event=punishment]').first().waitFor();

  // ICBC's list of new cards brings an account of theirs.
  const card = luhn(`622202${String(Date.now()).slice(-10)}00`.slice(0, 18));
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const csv = '卡号,户名,证件号码,开户日期,开户网点\n'
    + `${card},${person.name},${person.resident_id},${today},余姚城东支行\n`;
  await open(bank, '/card-screening');
  const upload = bank.locator('#import-new-cards');
  await upload.locator('input[type=file]').setInputFiles({ name: 'icbc-new-cards.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await upload.locator('[data-action=import-new-cards]').click();
  await bank.locator('#import-result').waitFor();
  assert.equal((await bank.locator('#import-result [data-received]').innerText()).trim(), '1');

  // The analyst asks ICBC.
  await open(analyst, '/card-cleanups');
  await withShot(analyst, 'card-cleanups-ask', async () => {
    const icbc = analyst.locator('#cc-candidates tr[data-bank=ICBC]');
    await icbc.waitFor();
    assert.ok(Number(await icbc.locator('[data-holders]').innerText()) >= 1);
    const form = analyst.locator('#generate-cleanups');
    await form.locator('select[name=bank]').selectOption('ICBC');
    await form.locator('input[name=note]').fill('依法限制非柜面业务，核查名下全部账户');
    await Promise.all([
      analyst.waitForURL(/generated=/),
      form.locator('[data-action=generate-cleanups]').click(),
    ]);
    assert.match(await analyst.locator('#cc-generated').innerText(), /已向1家银行发出\d+条清理核查/);
    await analyst.locator('#cc-candidates tr[data-bank=ICBC]').waitFor({ state: 'detached' });
  });
  const tail = person.resident_id.slice(-4);
  const row = analyst.locator('#cc-requests tr[data-state=pending]', { hasText: tail }).first();
  await row.waitFor();
  const id = await row.getAttribute('data-request');
  assert.ok(!(await row.innerText()).includes(person.resident_id), 'masked in the list');

  // ICBC's liaison: on the list, in full on its page, answered.
  await open(bank, '/card-cleanups');
  await bank.locator(`#cc-requests tr[data-request="${id}"]`).waitFor();
  await open(bank, `/card-cleanups/${id}`);
  await withShot(bank, 'card-cleanup-answer', async () => {
    assert.match(await bank.locator('[data-holder]').innerText(), new RegExp(person.resident_id));
    assert.equal((await bank.locator('#cleanup-accounts [data-account]').first().innerText()).trim(), card);
    const answer = bank.locator('#answer-cleanup');
    await answer.locator('select[name=outcome]').selectOption('cleaned');
    await answer.locator('input[name=accounts_found]').fill('2');
    await answer.locator('input[name=accounts_closed]').fill('1');
    await answer.locator('input[name=accounts_restricted]').fill('1');
    await answer.locator('textarea[name=note]').fill('一户销户，一户限制非柜面');
    await answer.locator('[data-action=answer-cleanup]').click();
    await bank.locator('h1 [data-state=answered]').waitFor();
    assert.match(await bank.locator('[data-answer-accounts]').innerText(), /2 \/ 1 \/ 1/);
  });

  // The same answer again from the bank's file: answered already, named by line and reason.
  await open(bank, '/card-cleanups');
  const file = `编号,核查结果,查见账户数,销户数\n${id},已销户,1,1\n`;
  const form = bank.locator('#import-answers');
  await form.locator('input[type=file]').setInputFiles({ name: '工行反馈.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  await form.locator('[data-action=import-answers]').click();
  await bank.locator('#import-result').waitFor();
  assert.equal((await bank.locator('#import-result [data-applied]').innerText()).trim(), '0');
  assert.equal(await bank.locator('#import-rejected tr[data-line="2"] [data-reason]').getAttribute('data-reason'), 'request_not_pending');
  assert.equal((await bank.locator('#import-rejected tr[data-line="2"] [data-reason]').innerText()).trim(), '该核查已反馈或已撤回');

  // The analyst: the answer counted.
  await open(analyst, `/card-cleanups?bank=ICBC`);
  assert.equal(await analyst.locator(`#cc-requests tr[data-request="${id}"]`).getAttribute('data-state'), 'answered');
  assert.ok(Number(await analyst.locator('[data-figure=accounts_closed]').innerText()) >= 1);
  assert.equal(await analyst.locator('#cc-banks tr[data-group=ICBC] [data-on-time-rate]').innerText(), '100.0%');
  await screenshot(analyst, 'card-cleanups-zh-desktop');
});
