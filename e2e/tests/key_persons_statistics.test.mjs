// Key persons and the leader's figures, as they are used: an analyst lists a resident as a
// card seller (两卡) by ID number, opens the dossier (the person in full), bans the person from
// leaving the country and sees the entry on the timeline and the figure on the list; the list
// never shows the full number. The leader reads statistics for the year — cases with 同比 and
// 万人发案数, money stopped and returned, app registration rates — and opens the work brief.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, residentOf, withShot } from '../lib.mjs';

let browser;
let analyst;
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

test('an analyst keeps a dossier on a card seller', { timeout: 120_000 }, async () => {
  const root = (await apiOk(analyst, 'GET', '/api/v1/me')).unit_code;
  const person = await residentOf(analyst, root, 11);

  await open(analyst, '/key-persons');
  const before = Number(await analyst.locator('[data-figure=exit_bans]').innerText());
  const form = analyst.locator('#add-key-person');
  await form.locator('input[name=resident_id]').fill(person.resident_id);
  await form.locator('select[name=category]').selectOption('two_cards');
  await form.locator('textarea[name=reason]').fill('端到端测试：出售银行卡给他人用于收款');
  await Promise.all([
    analyst.waitForURL(/\/key-persons\/[^/?]+$/),
    form.locator('[data-action=add-key-person]').click(),
  ]);

  // The dossier shows the person in full.
  const facts = await analyst.locator('#key-person-facts').innerText();
  assert.ok(facts.includes(person.resident_id), 'the dossier shows the full ID number');
  assert.ok(facts.includes(person.name), 'and the name');

  await withShot(analyst, 'key-person', async () => {
    const ban = analyst.locator('#add-exit-ban');
    await Promise.all([
      analyst.waitForResponse((r) => r.url().endsWith('/events') && r.request().method() === 'POST'),
      ban.locator('[data-action=add-exit-ban]').click(),
    ]);
    await analyst.locator('#key-person-events li[data-event=exit_ban]').first().waitFor();
  });

  await open(analyst, '/key-persons?category=two_cards');
  const after = Number(await analyst.locator('[data-figure=exit_bans]').innerText());
  assert.equal(after, before + 1, 'the exit ban in force is counted');
  const listed = await analyst.locator('#key-persons').innerText();
  assert.ok(!listed.includes(person.resident_id), 'the list masks the ID number');
  assert.match(listed, /\*{4,}/);
});

test('a leader reads the year\'s figures and the work brief', { timeout: 120_000 }, async () => {
  await open(leader, '/statistics?period=year');
  await withShot(leader, 'statistics-year', async () => {
    for (const id of ['#case-tiles', '#case-units', '#fund-tiles', '#registration-units']) {
      assert.ok(await leader.locator(id).isVisible(), `${id} is shown`);
    }
    // The demo city records its villages' residents: every township has a rate per 10,000.
    const per10k = await leader.locator('#case-units tr:not(.own-level) td[data-per-10k]').allInnerTexts();
    assert.ok(per10k.length >= 10, `a line per township: ${per10k.length}`);
    assert.ok(per10k.every((v) => /^\d+\.\d{2}$/.test(v.trim())), `rates: ${per10k}`);
    const rate = await leader.locator('[data-stat=registration-rate]').innerText();
    assert.match(rate.trim(), /^\d+\.\d{2}%$/);
  });

  const href = await leader.locator('#brief-link').getAttribute('href');
  await open(leader, href);
  const sections = leader.locator('#brief section');
  assert.equal(await sections.count() >= 4, true, 'cases, warnings, money, prevention');
  const text = await leader.locator('#brief').innerText();
  assert.match(text, /共发案\d+起/);
  assert.match(text, /注册率\d+\.\d{2}%/);
});
