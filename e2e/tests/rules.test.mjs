// Detection rules as data: the administrator test-runs the rules on a simulated sample with
// ground truth, then activates them — a new version, listed with who activated it; a broken
// draft is refused and the active rules stay. The demo stream is archived by day; the page lists
// the days and test-runs a draft on them beside the rules in force.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot } from '../lib.mjs';

let browser;
let admin;

before(async () => {
  browser = await launch();
  admin = await loggedInPage(browser, 'admin');
});
after(async () => {
  await browser?.close();
});

test('test-run, activate, and a broken draft refused', { timeout: 120_000 }, async () => {
  await open(admin, '/admin/rules');
  const version = async () => Number((await admin.locator('h1').first().innerText()).match(/v(\d+)/)[1]);
  const before = await version();
  const ruleCount = await admin.locator('#active-rules tr[data-rule]').count();
  assert.ok(ruleCount > 5, `the shipped rules are listed (${ruleCount})`);
  await withShot(admin, 'rules-test-run', async () => {
    await admin.locator('[data-action=test-run]').click();
    await admin.locator('#test-run [data-warned-victims]').waitFor({ timeout: 90_000 });
    const warned = Number(await admin.locator('#test-run [data-warned-victims]').innerText());
    assert.ok(warned > 0, 'the shipped rules warn some true victims of the sample');
  });
  admin.on('dialog', (d) => d.accept());
  await admin.locator('[data-action=activate]').click();
  await admin.locator('.notice[role=status]').waitFor();
  assert.equal(await version(), before + 1);
  const row = admin.locator(`#rule-versions tr[data-version="${before + 1}"]`);
  assert.match(await row.innerText(), /admin/, 'the new version names who activated it');

  await admin.locator('textarea[name=text]').fill('[[rule]]\nname = "broken"\nwhen = "((("\nlevel = 1');
  await admin.locator('[data-action=activate]').click();
  await admin.locator('pre.error[role=alert]').waitFor();
  assert.equal(await version(), before + 1, 'the active rules stay');
});

test('the demo stream is archived by day, and a draft test-runs on it beside the rules in force', { timeout: 120_000 }, async () => {
  await open(admin, '/admin/rules');
  const day = admin.locator('#signal-archive tr[data-day]').first();
  await day.waitFor();
  const signals = Number(await day.locator('[data-signals]').innerText());
  assert.ok(signals > 1000, `the archived day holds the demo's signals (${signals})`);
  const through = Number(await admin.locator('[data-archive-through]').innerText());
  assert.ok(through >= signals, 'the archive covers the stream up to its sequence');
  await withShot(admin, 'rules-archive-test-run', async () => {
    await admin.locator('select[name=archive_days]').selectOption('7');
    await admin.locator('[data-action=test-archive]').click();
    await admin.locator('#test-run [data-draft-warned]').waitFor({ timeout: 90_000 });
    assert.equal(await admin.locator('#test-run [data-source]').getAttribute('data-source'), 'archive');
    const draft = Number(await admin.locator('#test-run [data-draft-warned]').innerText());
    const inForce = Number(await admin.locator('#test-run [data-baseline-warned]').innerText());
    const ran = Number(await admin.locator('#test-run [data-run-signals]').innerText());
    assert.ok(ran >= signals, `the run read the archived days (${ran} signals)`);
    assert.equal(draft, inForce, 'the draft is the text in force: the same people');
  });
});
