// 新开卡审查 as it is used: the ICBC liaison uploads the bank's daily list in the browser (a bad
// row comes back with its line and reason); three cards a young holder opened within three days in
// another province come out high, visible to the bank masked and without any card page; the
// analyst finds them by the burst reason, opens one in full and records 涉嫌买卖两卡; the leader
// sees the figures but no list.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot } from '../lib.mjs';

let browser;
let bank;
let analyst;
let leader;

before(async () => {
  browser = await launch();
  [bank, analyst, leader] = await Promise.all([
    loggedInPage(browser, 'bank_icbc'),
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'leader'),
  ]);
});
after(async () => {
  await browser?.close();
});

/** A GB 11643 ID number with its check character. */
function residentId(body17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return body17 + '10X98765432'[sum % 11];
}

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

test('新开卡审查: a bank uploads its list and the analyst reviews a card seller', { timeout: 90_000 }, async () => {
  const stamp = String(Date.now()).slice(-9);
  const cards = [1, 2, 3].map((k) => luhn(`622202${stamp}${k}00`.slice(0, 18)));
  const holder = residentId(`11010520040405${stamp.slice(-2)}1`);
  const day = (offset) => {
    const d = new Date(Date.now() - offset * 86_400_000);
    return d.toISOString().slice(0, 10);
  };
  const csv =
    '卡号,户名,证件号码,开户日期,开户网点,网点行政区划代码\n' +
    `${cards[0]},刘小军,${holder},${day(3)},喀什分行营业部,653101\n` +
    `${cards[1]},刘小军,${holder},${day(2)},喀什分行营业部,653101\n` +
    `${cards[2]},刘小军,${holder},${day(1)},喀什分行营业部,653101\n` +
    `${cards[2].slice(0, -1)}${(Number(cards[2].slice(-1)) + 1) % 10},刘小军,${holder},${day(1)},,\n`;

  await open(bank, '/card-screening');
  await withShot(bank, 'card-screening-upload', async () => {
    const form = bank.locator('#import-new-cards');
    await form.locator('input[type=file]').setInputFiles({ name: 'icbc-new-cards.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await form.locator('[data-action=import-new-cards]').click();
    const result = bank.locator('#import-result');
    await result.waitFor();
    assert.equal((await result.locator('[data-received]').innerText()).trim(), '3');
    assert.equal((await result.locator('[data-rejected]').innerText()).trim(), '1');
    assert.equal(await bank.locator('#import-rejected tr[data-line="5"] [data-reason]').getAttribute('data-reason'), 'bad_luhn');
  });

  // The bank: its cards masked, high, and no card page to open.
  await open(bank, '/card-screening?level=high');
  const last4 = cards[0].slice(-4);
  const bankRow = bank.locator('#nc-cards tr[data-card]', { hasText: last4 });
  await bankRow.first().waitFor();
  assert.equal(await bankRow.first().locator('[data-level]').getAttribute('data-level'), 'high');
  const bankText = await bank.locator('#nc-cards').innerText();
  assert.ok(!bankText.includes(cards[0]) && !bankText.includes(holder), 'unmasked in the bank list');
  assert.equal(await bank.locator('#nc-cards a[href^="/card-screening/"]').count(), 0, 'a bank opens no card page');

  // The analyst: found by the burst, opened in full, reviewed.
  await open(analyst, '/card-screening?reason=card_burst');
  const row = analyst.locator('#nc-cards tr[data-card]', { hasText: last4 });
  await row.first().waitFor();
  assert.match(await row.first().locator('[data-reasons]').innerText(), /短期内多头开卡（7日内3张）/);
  await Promise.all([analyst.waitForURL(/\/card-screening\/\d+$/), row.first().locator('a').first().click()]);
  await withShot(analyst, 'card-screening-review', async () => {
    assert.equal((await analyst.locator('[data-full-card]').innerText()).trim(), cards[0]);
    assert.equal((await analyst.locator('[data-full-id]').innerText()).trim(), holder);
    assert.equal(await analyst.locator('#nc-findings tr[data-reason=card_burst]').count(), 1);
    assert.equal(await analyst.locator('#nc-findings tr[data-reason=far_province]').count(), 1);
    assert.equal(await analyst.locator('#nc-others tr[data-card]').count(), 2);
    const form = analyst.locator('#nc-review');
    await form.locator('select[name=verdict]').selectOption('card_seller');
    await form.locator('input[name=note]').fill('本人承认三张卡已出售');
    await Promise.all([analyst.waitForLoadState('load'), form.locator('[data-action=review-card]').click()]);
    await analyst.locator('#nc-verdict [data-verdict]').waitFor();
    assert.match(await analyst.locator('#nc-verdict').innerText(), /涉嫌买卖两卡 · 本人承认三张卡已出售/);
  });

  // The leader: figures, no list.
  await open(leader, '/card-screening');
  assert.ok(Number((await leader.locator('[data-figure=screened]').innerText()).trim()) >= 3);
  assert.equal(await leader.locator('#nc-cards').count(), 0);
});

test('新入网电话卡: an operator uploads its new numbers and the analyst finds them on their tab', { timeout: 90_000 }, async () => {
  const operator = await loggedInPage(browser, 'operator_cm');
  const stamp = String(Date.now()).slice(-5);
  const numbers = [1, 2, 3].map((k) => `138${stamp}${k}0${k}`);
  // The first number as lists show it: its last four digits alone could also be the masked
  // holder ID's first four (1101…).
  const masked = `138****${numbers[0].slice(-4)}`;
  const holder = residentId(`11010520050607${stamp.slice(-2)}3`);
  // Stamped a few hours ahead, inside the day a list may run ahead: stored at the upload's
  // moment, so the numbers head the lists (newest first) while the demo city opens its own.
  const soon = new Date(Date.now() + 6 * 3_600_000).toISOString();
  const csv =
    '手机号码,机主姓名,证件号码,入网时间,营业厅,营业厅行政区划代码\n' +
    numbers.map((n) => `${n},陈小兵,${holder},${soon},喀什人民路营业厅,653101\n`).join('') +
    `13012345678,陈小兵,${holder},${soon},,\n`;

  // The operator: no tabs (its own kind only), its upload, its numbers masked.
  await open(operator, '/card-screening');
  assert.equal(await operator.locator('#nc-kinds').count(), 0);
  const form = operator.locator('#import-new-cards');
  await form.locator('input[type=file]').setInputFiles({ name: 'cmcc-new-numbers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await form.locator('[data-action=import-new-cards]').click();
  const result = operator.locator('#import-result');
  await result.waitFor();
  assert.equal((await result.locator('[data-received]').innerText()).trim(), '3');
  assert.equal(await operator.locator('#import-rejected tr[data-line="5"] [data-reason]').getAttribute('data-reason'), 'other_operator');
  const opText = await operator.locator('#nc-cards').innerText();
  assert.ok(opText.includes(masked), opText);
  assert.ok(!opText.includes(numbers[0]), 'unmasked in the operator list');

  // The analyst: the phone-card tab, the burst, the number in full.
  await open(analyst, '/card-screening');
  await Promise.all([analyst.waitForURL(/kind=sim_card/), analyst.locator('#nc-kinds a[data-kind=sim_card]').click()]);
  assert.equal(await analyst.locator('#nc-search input[name=kind]').inputValue(), 'sim_card');
  await open(analyst, '/card-screening?kind=sim_card&reason=card_burst');
  await withShot(analyst, 'card-screening-phone-cards', async () => {
    const row = analyst.locator('#nc-cards tr[data-card]', { hasText: masked });
    await row.first().waitFor();
    assert.match(await row.first().locator('[data-reasons]').innerText(), /短期内多头开卡（7日内3张）/);
    assert.match(await analyst.locator('#nc-banks').innerText(), /中国移动/);
  });
  const row = analyst.locator('#nc-cards tr[data-card]', { hasText: masked });
  await Promise.all([analyst.waitForURL(/\/card-screening\/\d+$/), row.first().locator('a').first().click()]);
  assert.equal((await analyst.locator('[data-full-card]').innerText()).trim(), numbers[0]);
  assert.equal(await analyst.locator('#nc-findings tr[data-reason=far_province]').count(), 1);
});

test('新开卡审查: choosing a period reloads the figures for it', { timeout: 30_000 }, async () => {
  const analyst = await loggedInPage(browser, 'analyst');
  await open(analyst, '/card-screening');
  const period = analyst.locator('#nc-period select[name=days]');
  const other = await period.locator('option:not([selected])').first().getAttribute('value');
  await Promise.all([analyst.waitForURL(new RegExp(`days=${other}`)), period.selectOption(other)]);
  assert.equal(await analyst.locator('#nc-period select[name=days]').inputValue(), other);
});

test('销户名单: a bank sends its closures and the analyst finds the holder\'s open card by 频繁开销户', { timeout: 90_000 }, async () => {
  const stamp = String(Date.now()).slice(-9);
  const cards = [4, 5, 6].map((k) => luhn(`622202${stamp}${k}00`.slice(0, 18)));
  const holder = residentId(`11010519850305${stamp.slice(-2)}1`);
  const day = (offset) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
  // Three ordinary cards at home, weeks apart: nothing to flag.
  const openings =
    '卡号,户名,证件号码,开户日期,开户网点,网点行政区划代码\n' +
    `${cards[0]},周明,${holder},${day(40)},朝阳支行,110105\n` +
    `${cards[1]},周明,${holder},${day(25)},朝阳支行,110105\n` +
    `${cards[2]},周明,${holder},${day(5)},朝阳支行,110105\n`;
  await open(bank, '/card-screening');
  const form = bank.locator('#import-new-cards');
  await form.locator('input[type=file]').setInputFiles({ name: 'icbc-openings.csv', mimeType: 'text/csv', buffer: Buffer.from(openings) });
  await form.locator('[data-action=import-new-cards]').click();
  await bank.locator('#import-result [data-received]').waitFor();
  assert.equal((await bank.locator('#import-result [data-received]').innerText()).trim(), '3');

  // The closure list: the first two closed within weeks of opening.
  const closures =
    '卡号,证件号码,户名,销户日期\n' +
    `${cards[0]},${holder},周明,${day(30)}\n` +
    `${cards[1]},${holder},周明,${day(20)}\n`;
  await open(bank, '/card-screening');
  const again = bank.locator('#import-new-cards');
  await again.locator('select[name=list]').selectOption('closures');
  await again.locator('input[type=file]').setInputFiles({ name: 'icbc-closures.csv', mimeType: 'text/csv', buffer: Buffer.from(closures) });
  await again.locator('[data-action=import-new-cards]').click();
  const result = bank.locator('#import-result [data-list=closures]');
  await result.waitFor();
  assert.equal((await result.locator('[data-received]').innerText()).trim(), '2');
  assert.equal((await result.locator('[data-short-lived]').innerText()).trim(), '2');
  assert.equal(await result.locator('[data-rescreened]').count(), 0, 'a bank never reads the re-screening');

  // The analyst: the open card flagged, the holder's closures on its page.
  await open(analyst, '/card-screening?reason=frequent_open_close');
  const row = analyst.locator('#nc-cards tr[data-card]', { hasText: cards[2].slice(-4) });
  await row.first().waitFor();
  assert.match(await row.first().locator('[data-reasons]').innerText(), /频繁开销户（90天内销户2张）/);
  await Promise.all([analyst.waitForURL(/\/card-screening\/\d+$/), row.first().locator('a').first().click()]);
  await withShot(analyst, 'card-screening-closures', async () => {
    assert.equal(await analyst.locator('#nc-findings tr[data-reason=frequent_open_close]').count(), 1);
    assert.equal(await analyst.locator('#nc-closures tr[data-short-lived]').count(), 2);
  });
  // 落地核查: sent down to the holder's unit as a two-card lead, once.
  await Promise.all([analyst.waitForEvent('load'), analyst.locator('#nc-send-lead [data-action=send-lead]').click()]);
  await analyst.locator('#nc-leads [data-lead]').waitFor();
  assert.equal(await analyst.locator('#nc-send-lead').count(), 0);
  assert.match(await analyst.locator('#nc-leads').innerText(), /待核查/);
});
