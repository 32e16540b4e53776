// The warnings list as an analyst searches it: a person's ID number and a fraud type narrow
// the list to that person's warnings of that type (the count says how many), the search is in
// the audit log (read by the leader) with the number masked, the level filter leaves only red
// rows, and a warning from the engine shows its evidence in words (Chinese feature labels,
// durations, the suspect number's kind and origin).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, residentOf, eventually, withShot } from '../lib.mjs';

let browser;
let analyst;
/** Reads the audit log (the analyst may not). */
let leader;

before(async () => {
  browser = await launch();
  [analyst, leader] = await Promise.all([
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'leader'),
  ]);
});
after(async () => {
  await browser?.close();
});

test('an analyst finds a person\'s warnings by ID number and type', { timeout: 120_000 }, async () => {
  const root = (await apiOk(analyst, 'GET', '/api/v1/me')).unit_code;
  const person = await residentOf(analyst, root, 7);
  const pushed = await apiOk(analyst, 'POST', '/api/v1/warnings', {
    resident_id: person.resident_id,
    level: 2,
    fraud_type: '虚假征信类',
    source: 'manual',
    note: '端到端测试：预警查询',
  }, 201);

  await open(analyst, '/warnings');
  const form = analyst.locator('#warning-search');
  await form.locator('input[name=q]').fill(person.resident_id);
  await form.locator('select[name=fraud_type]').selectOption('fake_credit_repair');
  await withShot(analyst, 'warnings-search', async () => {
    await Promise.all([
      analyst.waitForURL(/fraud_type=fake_credit_repair/),
      form.locator('[data-action=search-warnings]').click(),
    ]);
    const rows = analyst.locator('#warnings tbody tr[data-warning-id]');
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.warningId));
    assert.ok(ids.includes(pushed.warning_id), `the pushed warning is listed: ${ids}`);
    const total = Number(await analyst.locator('#warnings-total').getAttribute('data-total'));
    assert.equal(total, ids.length, 'the count matches the rows on one page');
    for (const text of await rows.locator('td:nth-child(4)').allInnerTexts()) {
      assert.equal(text.trim(), '虚假征信', 'every row is of the chosen type');
    }
    // The form keeps what was asked.
    assert.equal(await form.locator('input[name=q]').inputValue(), person.resident_id);
    assert.equal(await form.locator('select[name=fraud_type]').inputValue(), 'fake_credit_repair');
    // The full number is never on the list page.
    assert.ok(!(await analyst.locator('#warnings').innerText()).includes(person.resident_id));
  });

  await open(leader, '/audit?action=warning_search');
  const line = leader.locator('#audit tbody tr[data-audit-action=warning_search]').first();
  const text = await line.innerText();
  assert.match(text, /按电话或身份证号查询预警/);
  assert.ok(!text.includes(person.resident_id), 'the audit line keeps the number masked');
  assert.match(text, /\*{4,}/);

  await open(analyst, '/warnings?min_level=1');
  const levels = await analyst.locator('#warnings tbody tr[data-warning-id] .badge').allInnerTexts();
  assert.ok(levels.every((l) => l.trim() === '红色'), `only red rows: ${levels}`);
});

test('an engine warning shows its evidence in words', { timeout: 120_000 }, async () => {
  // The demo stream raises engine warnings within its first simulated hours.
  const id = await eventually(async () => {
    const r = await apiOk(analyst, 'GET', `/api/v1/warnings?since=0&limit=200`);
    const w = r.items.find((x) => x.source === 'engine' && x.evidence?.features?.length);
    return w?.id;
  }, { timeoutMs: 90_000, intervalMs: 2_000, message: 'an engine warning with features' });
  await open(analyst, `/warnings/${id}`);
  const features = analyst.locator('table.features tr[data-feature]');
  assert.ok((await features.count()) > 0);
  const first = await features.first().innerText();
  assert.match(first, /[\u4e00-\u9fff]/, `the feature is labelled in Chinese: ${first}`);
  for (const v of await analyst.locator('table.features td.value').allInnerTexts()) {
    assert.ok(!/^(true|false)$/.test(v.trim()), `booleans read as 是/否: ${v}`);
  }
  const origins = await analyst.locator('td.origin').allInnerTexts();
  if (origins.length) {
    assert.ok(origins.some((o) => /号码|手机/.test(o)), `suspect numbers say what they are: ${origins}`);
  }
});
