// 反诈宣传 and 案件查询/串并, as they are used: the grid worker records a talk on the phone and the
// county commander finds it counted on the outreach page, on the township's line and, one level
// down, on the village's. The analyst opens two cases whose bank extracts pay into the same mule
// account, finds both by that account on /cases (the victims' ID numbers never shown), sees each
// linked to the other as 同一收款账户, and the leader finds the look-up in the audit log, masked.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { launch, loggedInPage, open, apiOk, residentOf, eventually, withShot } from '../lib.mjs';

let browser;
let grid;
let commander;
let analyst;
let leader;

before(async () => {
  browser = await launch();
  [grid, commander, analyst, leader] = await Promise.all([
    loggedInPage(browser, 'grid', { mobile: true }),
    loggedInPage(browser, 'commander'),
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'leader'),
  ]);
});
after(async () => {
  await browser?.close();
});

/** The figures of one `#outreach-units` line (null when the unit has no line). */
async function unitLine(page, code) {
  const row = page.locator(`#outreach-units tr[data-unit="${code}"]`);
  if ((await row.count()) === 0) return null;
  const n = async (sel) => Number((await row.locator(sel).innerText()).trim());
  return { events: await n('td[data-events]'), people: await n('td[data-people]'), apps: await n('td[data-apps]') };
}

async function totals(page) {
  const n = async (f) => Number((await page.locator(`#outreach-totals [data-figure=${f}]`).innerText()).trim());
  return { events: await n('events'), people: await n('people_reached'), apps: await n('app_registrations') };
}

/** The commander's line that holds the village `village`: the child unit whose code it starts with. */
async function townshipOf(page, village) {
  const codes = await page.locator('#outreach-units tr[data-unit]').evaluateAll((rows) => rows.map((r) => r.dataset.unit));
  const hits = codes.filter((c) => c !== village && village.startsWith(c));
  assert.equal(hits.length, 1, `one township line above village ${village}: ${codes}`);
  return hits[0];
}

test('反诈宣传: a talk recorded on the phone counts on the commander\'s township and village lines', { timeout: 60_000 }, async () => {
  const village = (await apiOk(grid, 'GET', '/api/v1/me')).unit_code;

  await open(commander, '/outreach');
  const township = await townshipOf(commander, village);
  const totalsBefore = await totals(commander);
  const lineBefore = await unitLine(commander, township);
  await open(commander, `/outreach?unit=${township}`);
  const villageBefore = (await unitLine(commander, village)) ?? { events: 0, people: 0, apps: 0 };

  const place = `村文化礼堂-${Date.now() % 100000}`;
  await open(grid, '/m/outreach');
  await withShot(grid, 'outreach-phone', async () => {
    const form = grid.locator('#record-outreach');
    await form.locator('select[name=kind]').selectOption('lecture');
    await form.locator('select[name=audience]').selectOption('elderly');
    await form.locator('input[name=place]').fill(place);
    await form.locator('input[name=people_reached]').fill('37');
    await form.locator('input[name=app_registrations]').fill('12');
    // Thumb-sized: the button fits the phone's width and is tall enough to tap.
    const box = await form.locator('[data-action=record-outreach]').boundingBox();
    assert.ok(box && box.x + box.width <= 390 && box.height >= 32, `record button: ${JSON.stringify(box)}`);
    await Promise.all([
      grid.waitForURL(/\/m\/outreach\?saved=1$/),
      form.locator('[data-action=record-outreach]').click(),
    ]);
    await grid.locator('#outreach-saved').waitFor();
    const row = grid.locator('#outreach-recent tbody tr').filter({ hasText: place });
    assert.equal(await row.count(), 1, 'the talk is in the recent list');
    const cells = (await row.locator('td').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(cells.slice(1), ['宣讲', place, '37', '12'], `recent row: ${cells}`);
  });

  await open(commander, '/outreach');
  await withShot(commander, 'outreach-commander', async () => {
    const t = await totals(commander);
    assert.deepEqual(t, { events: totalsBefore.events + 1, people: totalsBefore.people + 37, apps: totalsBefore.apps + 12 });
    const line = await unitLine(commander, township);
    assert.deepEqual(line, { events: lineBefore.events + 1, people: lineBefore.people + 37, apps: lineBefore.apps + 12 },
      `township ${township}`);
    const rec = commander.locator('#outreach-records tr[data-outreach]').filter({ hasText: place });
    assert.equal(await rec.count(), 1, 'the talk is among the records');
    const text = await rec.innerText();
    for (const w of ['宣讲', '老年群体', '37', '12', 'grid']) assert.ok(text.includes(w), `record shows ${w}: ${text}`);
  });

  await open(commander, `/outreach?unit=${township}`);
  const v = await unitLine(commander, village);
  assert.deepEqual(v, { events: villageBefore.events + 1, people: villageBefore.people + 37, apps: villageBefore.apps + 12 },
    `village ${village}`);
});

const MULE = '6222020000000077712'; // ICBC, receives from both victims
const VICTIMS = ['6228480000000000211', '6228480000000000222']; // ABC

function extractCsv(victim, tx) {
  const dir = mkdtempSync(join(tmpdir(), 'fanzha-extract-'));
  const path = join(dir, 'abc_extract.csv');
  const at = new Date(Date.now() - 1800_000).toISOString();
  writeFileSync(path, [
    '交易流水号,交易时间,付款账号,收款账号,交易金额,交易渠道',
    `${tx},${at},${victim},${MULE},8000.00,手机银行`,
  ].join('\n'));
  return path;
}

async function openCaseWithExtract(page, person, victimAccount, tx) {
  await open(page, '/cases');
  const form = page.locator('#new-case');
  await form.locator('input[name=resident_id]').fill(person.resident_id);
  await form.locator('input[name=victim_name]').fill(person.name);
  await form.locator('input[name=loss_yuan]').fill('8000');
  await form.locator('input[name=victim_account]').fill(victimAccount);
  await form.locator('textarea[name=narrative]').fill('网上认识的导师推荐刷单返利，先垫付后返佣金，按要求转账八千元后对方失联。');
  await Promise.all([
    page.waitForURL(/\/cases\/AJ\d+$/),
    form.locator('[data-action=open-case]').click(),
  ]);
  const id = new URL(page.url()).pathname.split('/').pop();
  await page.locator('input[type=file][name=file]').setInputFiles(extractCsv(victimAccount, tx));
  await page.locator('[data-action=upload]').click();
  await eventually(async () => (await page.locator('[data-transfers]').innerText()).trim() === '1', {
    message: `case ${id}: the transfer taken in`,
  });
  return id;
}

test('案件查询 and 串并: two cases paying one mule account are found by it and linked', { timeout: 90_000 }, async () => {
  const root = (await apiOk(analyst, 'GET', '/api/v1/me')).unit_code;
  const people = [await residentOf(analyst, root, 21), await residentOf(analyst, root, 22)];
  assert.notEqual(people[0].resident_id, people[1].resident_id);

  const first = await openCaseWithExtract(analyst, people[0], VICTIMS[0], 'E2E-A1');
  const second = await openCaseWithExtract(analyst, people[1], VICTIMS[1], 'E2E-B1');

  // Search by the account, typed as people do (with spaces).
  await open(analyst, '/cases');
  await withShot(analyst, 'case-search-account', async () => {
    const form = analyst.locator('#case-search');
    await form.locator('input[name=q]').fill('6222 0200 0000 0077 712');
    await Promise.all([
      analyst.waitForURL(/\/cases\?.*q=/),
      form.locator('[data-action=search-cases]').click(),
    ]);
    const ids = await analyst.locator('#cases tbody tr[data-case-id]').evaluateAll((rs) => rs.map((r) => r.dataset.caseId));
    assert.deepEqual([...ids].sort(), [first, second].sort(), `found: ${ids}`);
    assert.equal(await analyst.locator('#cases-total').getAttribute('data-total'), '2');
    const listed = await analyst.locator('#cases').innerText();
    for (const p of people) {
      assert.ok(!listed.includes(p.resident_id), 'the list never shows the full ID number');
      assert.ok(!listed.includes(p.name) || p.name.length < 2, 'the victim name is masked');
    }
    assert.equal(await analyst.locator('#case-search input[name=q]').inputValue(), '6222 0200 0000 0077 712');
  });

  // A number found in no case: nothing listed, count 0.
  await open(analyst, '/cases?q=6222020000000099912');
  assert.equal(await analyst.locator('#cases-total').getAttribute('data-total'), '0');
  assert.equal(await analyst.locator('#cases tbody tr[data-case-id]').count(), 0);

  // The first case lists the second as linked by the same receiving account, masked.
  await open(analyst, `/cases/${first}`);
  await withShot(analyst, 'case-linked', async () => {
    const row = analyst.locator(`#linked-cases tr[data-linked-case="${second}"]`);
    assert.equal(await row.count(), 1, 'the other case is linked');
    assert.match(await row.getAttribute('data-link-kinds'), /\breceiving_account\b/);
    const text = await row.innerText();
    assert.ok(text.includes('同一收款账户'), `link named: ${text}`);
    assert.ok(text.includes('6222 **** **** 7712'), `account masked: ${text}`);
    assert.ok(!(await analyst.locator('#linked').innerText()).includes(MULE), 'the full account is not shown');
    assert.ok(Number(await analyst.locator('#linked-total').getAttribute('data-total')) >= 1);
    assert.equal(await analyst.locator('#linked [data-group-loss]').innerText(), '¥16,000.00');
  });
  // And the other way round.
  await open(analyst, `/cases/${second}`);
  assert.match(await analyst.locator(`#linked-cases tr[data-linked-case="${first}"]`).getAttribute('data-link-kinds'), /\breceiving_account\b/);

  // The leader finds the look-up in the audit log, with the account masked.
  await open(leader, '/audit?action=case_search');
  await withShot(leader, 'audit-case-search', async () => {
    const rows = leader.locator('#audit tr[data-audit-action=case_search], tr[data-audit-action=case_search]');
    const mine = rows.filter({ hasText: '6222 **** **** 7712' }).filter({ hasText: 'analyst' });
    assert.ok((await mine.count()) >= 1, 'the account search is audited');
    assert.match(await mine.first().innerText(), /matches: 2/);
    const page = await leader.locator('body').innerText();
    assert.ok(!page.includes(MULE), 'the audit log masks the account');
  });
});
