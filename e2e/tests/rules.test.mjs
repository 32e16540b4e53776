// Detection rules as data: the administrator test-runs the rules on a simulated sample with
// ground truth, then activates them — a new version, listed with who activated it; a broken
// draft is refused and the active rules stay.

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
