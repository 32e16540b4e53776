// The demo's history (往期数据), when the server was started with it (E2E_HISTORY_MONTHS > 0;
// skipped otherwise): a newcomer's first look finds every register with records — the closed
// loop's past months in the statistics and the ranking, key persons with an overdue visit,
// checked two-card leads, a bulletin the station has still to sign, supervision measures at
// every stage, monthly figures — and the station can act on them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, screenshot } from '../lib.mjs';

const months = Number(process.env.E2E_HISTORY_MONTHS || 0);
const skip = months > 0 ? false : 'the server runs without history (E2E_HISTORY_MONTHS=0)';

let browser;
let analyst;
let leader;
let station;

before(async () => {
  if (skip) return;
  browser = await launch();
  [analyst, leader, station] = await Promise.all([
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'leader'),
    loggedInPage(browser, 'station'),
  ]);
});
after(async () => {
  await browser?.close();
});

const number = async (locator) => Number((await locator.innerText()).replace(/[^\d.]/g, ''));

test('last month has closed-loop figures and a ranking of the townships', { skip, timeout: 60_000 }, async () => {
  await open(leader, '/statistics?period=last_month');
  const tiles = await leader.locator('#statistics').innerText();
  assert.match(tiles, /劝阻成功/);
  const units = leader.locator('#units tbody tr[data-unit]');
  assert.ok((await units.count()) >= 5, 'townships listed');
  await open(leader, '/assessment?period=last_month');
  const ranked = leader.locator('tr[data-unit]');
  assert.ok((await ranked.count()) >= 5, 'the townships ranked');
  const best = await number(ranked.first().locator('[data-total]'));
  const worst = await number(ranked.last().locator('[data-total]'));
  assert.ok(best > worst, `scores spread: ${best} vs ${worst}`);
});

test('this year has cases, stopped money and a year earlier to compare with', { skip, timeout: 60_000 }, async () => {
  await open(leader, '/statistics?period=year');
  assert.ok((await number(leader.locator('[data-stat=cases]'))) > 0);
  assert.ok((await number(leader.locator('[data-stat=cases-last-year]'))) > 0, '同比 has its base');
  assert.notEqual(await leader.locator('[data-stat=yoy]').innerText(), '—');
  assert.ok((await number(leader.locator('[data-stat=stopped]'))) > 0, 'accounts stopped');
});

test('the registers hold records at every stage', { skip, timeout: 60_000 }, async () => {
  await open(analyst, '/key-persons');
  assert.ok((await analyst.locator('#key-persons [data-key-person]').count()) >= 10);
  assert.ok((await analyst.locator('#key-persons [data-overdue]').count()) >= 1, 'a visit overdue');
  await open(analyst, '/instructions?tab=closed');
  assert.ok((await analyst.locator('#queue [data-status=closed]').count()) >= 20);
  await open(analyst, '/two-card-leads');
  assert.ok((await analyst.locator('#tcl-leads tbody tr').count()) >= 10);
  await open(analyst, '/supervision');
  for (const state of ['issued', 'replied', 'closed']) {
    // Every stage is shown on the register (the history's draws give each at least one).
    assert.ok(
      (await analyst.locator(`#sv-measures [data-state=${state}]`).count()) >= 1,
      `a measure ${state}`,
    );
  }
  await open(analyst, '/operator-figures');
  assert.ok((await number(analyst.locator('tr[data-operator=total][data-figure=calls] [data-last-year]'))) > 0);
});

test('a key person involved again since the listing is counted, filtered and linked both ways', { skip, timeout: 60_000 }, async () => {
  await open(analyst, '/key-persons');
  assert.ok((await number(analyst.locator('#key-person-figures [data-figure=involved_since_listing]'))) >= 1, '再次涉案 counted');
  // The same figures per township, which add up to the county's.
  const townships = analyst.locator('#key-person-units tr[data-unit]');
  assert.ok((await townships.count()) >= 5, 'the townships listed');
  const perUnit = await analyst.locator('#key-person-units [data-unit-figure=in_control]').allInnerTexts();
  assert.equal(perUnit.reduce((s, n) => s + Number(n), 0), await number(analyst.locator('#key-person-figures [data-figure=in_control]')));
  await screenshot(analyst, 'key-persons-units-zh-desktop');
  await Promise.all([
    analyst.waitForURL(/involved=since_listing/),
    analyst.locator('#key-person-figures a[data-figure=involved_since_listing]').click(),
  ]);
  const rows = analyst.locator('#key-persons tr[data-key-person]');
  assert.ok((await rows.count()) >= 1, 'the filter lists the dossier');
  assert.equal(await analyst.locator('select[name=involved]').inputValue(), 'since_listing');
  await Promise.all([
    analyst.waitForURL(/\/key-persons\/\d+$/),
    rows.first().locator('a').first().click(),
  ]);
  const dossier = analyst.url().replace(/^.*\/key-persons\//, '');
  await analyst.locator('[data-involved-again]').waitFor();
  const line = analyst.locator('#person-case-lines tr[data-after-listing][data-involvement=suspect]').first();
  assert.match(await line.innerText(), /嫌疑人/);
  await analyst.locator('#key-person-cases').scrollIntoViewIfNeeded();
  await screenshot(analyst, 'key-person-cases-zh-desktop');
  // The case names the suspect as this key person.
  await Promise.all([analyst.waitForURL(/\/cases\//), line.locator('a').first().click()]);
  const badge = analyst.locator(`#suspects a[data-key-person="${dossier}"]`);
  assert.match(await badge.innerText(), /重点人员/);
});

test('new-card screening shows the months of bank and phone cards, reviews and involved cards', { skip, timeout: 60_000 }, async () => {
  for (const [kind, sellers] of [['bank_card', 'card_seller'], ['sim_card', 'card_seller']]) {
    await open(analyst, `/card-screening?kind=${kind}&days=365`);
    assert.ok((await number(analyst.locator('[data-figure=screened]'))) >= 50, `${kind} screened`);
    assert.ok((await number(analyst.locator('[data-figure=reviewed]'))) >= 3, `${kind} reviewed`);
    assert.ok((await number(analyst.locator(`#nc-by-level [data-verdict=${sellers}]`))) >= 1, `${kind} sellers found`);
    assert.ok((await number(analyst.locator('[data-figure=involved]'))) >= 1, `${kind} involved in cases`);
    assert.ok((await analyst.locator('#nc-outlets tr[data-outlet]').count()) >= 1, `${kind} outlets to interview`);
  }
  // The operator's own numbers only.
  const operator = await loggedInPage(browser, 'operator_cm');
  await open(operator, '/card-screening?days=365');
  assert.ok((await number(operator.locator('[data-figure=screened]'))) >= 10);
  const issuers = await operator.locator('#nc-banks tr[data-bank]').evaluateAll((rows) => rows.map((r) => r.dataset.bank));
  assert.deepEqual(issuers, ['china_mobile']);
});

test('the station signs the bulletin it has not read yet', { skip, timeout: 60_000 }, async () => {
  await open(station, '/bulletins?unsigned=1');
  const waiting = station.locator('#bulletins tr[data-bulletin]').filter({ has: station.locator('[data-unsigned]') });
  assert.ok((await waiting.count()) >= 1, 'a bulletin waits for the station');
  await Promise.all([
    station.waitForURL(/\/bulletins\/\d+$/),
    waiting.first().locator('a').first().click(),
  ]);
  await Promise.all([
    station.waitForResponse((r) => r.url().endsWith('/sign') && r.status() === 200),
    station.locator('[data-action=sign-bulletin]').click(),
  ]);
  await station.locator('#signed').waitFor();
});

test('a member department reports the progress of one of its open tasks', { skip, timeout: 60_000 }, async () => {
  const member = await loggedInPage(browser, 'member');
  await open(member, '/');
  assert.match(member.url(), /\/joint-office\/mine$/);
  const desk = await member.locator('#member-desk').innerText();
  assert.match(desk, /联络员|联席办/);
  const open_ = member.locator('section[data-task][data-state=open]');
  assert.ok((await open_.count()) >= 1, 'the member has an open task');
  const task = open_.first();
  const id = await task.getAttribute('data-task');
  await task.locator('textarea[name=report]').fill('已组织全体干部职工开展反诈培训两场');
  await Promise.all([
    member.waitForResponse((r) => r.url().endsWith(`/joint-office/mine/tasks/${id}/report`) && r.status() === 200),
    task.locator('[data-action=report-own-task]').click(),
  ]);
  const reported = member.locator(`section[data-task="${id}"]`);
  await reported.locator('[data-report]').waitFor();
  assert.equal(await reported.getAttribute('data-state'), 'reported');
  await screenshot(member, 'joint-member-desk-zh-desktop');
  // The office sees the report on the task's page, from the member's liaison.
  await open(analyst, `/joint-office/tasks/${id}`);
  assert.match(await analyst.locator('[data-report]').innerText(), /反诈培训两场/);
  await member.context().close();
  const en = await loggedInPage(browser, 'member', { lang: 'en' });
  await open(en, '/joint-office/mine');
  assert.match(await en.locator('#member-desk').innerText(), /joint office/i);
  await screenshot(en, 'joint-member-desk-en-desktop');
  await en.context().close();
  const phone = await loggedInPage(browser, 'member', { mobile: true });
  await open(phone, '/joint-office/mine');
  assert.ok(await phone.locator('section[data-task]').count() >= 1);
  await screenshot(phone, 'joint-member-desk-zh-mobile');
  await phone.context().close();
});
