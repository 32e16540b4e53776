// 企业反诈联盟 as it is used: the station records an enterprise joining the alliance and holds a
// talk there (the place naming it); the alliance list counts the talk, shows the contact masked
// and the member's page in full; the contact changes; the enterprise leaves and drops off the
// list (kept, shown with those who left).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot } from '../lib.mjs';

let browser;
let station;

before(async () => {
  browser = await launch();
  station = await loggedInPage(browser, 'station');
});
after(async () => {
  await browser?.close();
});

/** A valid unified social credit code (GB 32100) for organisation body `body` (8 chars). */
function creditCode(body) {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const orgWeights = [3, 7, 9, 10, 5, 8, 4, 2];
  const orgSum = [...body].reduce((s, c, i) => s + parseInt(c, 36) * orgWeights[i], 0);
  const orgCheck = (11 - (orgSum % 11)) % 11;
  const head = `91330281${body}${orgCheck === 10 ? 'X' : String(orgCheck)}`;
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...head].reduce((s, c, i) => s + chars.indexOf(c) * weights[i], 0);
  return head + chars[(31 - (sum % 31)) % 31];
}

test('企业反诈联盟: a member joins, a talk there counts, it leaves', { timeout: 90_000 }, async () => {
  const stamp = String(Date.now() % 1_000_000).padStart(6, '0');
  const name = `端到端电子科技有限公司${stamp}`;
  await open(station, '/alliance');
  const form = station.locator('#member-form');
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=credit_code]').fill(creditCode(`MA${stamp}`));
  await form.locator('input[name=contact_name]').fill('周会计');
  await form.locator('input[name=contact_phone]').fill('13912345678');
  await form.locator('input[name=staff]').fill('260');
  await form.locator('input[name=finance_staff]').fill('9');
  await Promise.all([station.waitForURL(/\/alliance\/\d+/), form.locator('[data-action=join-member]').click()]);
  const memberUrl = new URL(station.url()).pathname;
  assert.match(await station.locator('#member [data-contact]').innerText(), /13912345678/);

  // A talk at the enterprise, recorded from the phone form with the enterprise as the place.
  await open(station, '/m/outreach');
  const talk = station.locator('#record-outreach');
  await talk.locator('select[name=kind]').selectOption('lecture');
  await talk.locator('select[name=audience]').selectOption('enterprise');
  await talk.locator('input[name=place]').fill(`${name}会议室`);
  await talk.locator('input[name=people_reached]').fill('120');
  await Promise.all([
    station.waitForURL(/\/m\/outreach\?saved=1$/),
    talk.locator('[data-action=record-outreach]').click(),
  ]);

  await open(station, '/alliance');
  await withShot(station, 'alliance-list', async () => {
    const row = station.locator('#alliance-members tr[data-member]', { hasText: name });
    await row.waitFor();
    assert.match(await row.innerText(), /139\*\*\*\*5678/);
    assert.ok(!(await row.innerText()).includes('13912345678'), 'masked in the list');
    assert.equal((await row.locator('[data-figure=events]').innerText()).trim(), '1', 'the talk counts');
  });

  // The contact changes; then the member leaves.
  await open(station, memberUrl);
  const change = station.locator('#member-change');
  await change.locator('input[name=contact_name]').fill('吴主任');
  await Promise.all([station.waitForEvent('load'), change.locator('[data-action=change-member]').click()]);
  await station.locator('#member [data-contact]', { hasText: '吴主任' }).waitFor();
  const leave = station.locator('#member-leave');
  await leave.locator('input[name=reason]').fill('企业迁出辖区');
  await Promise.all([station.waitForEvent('load'), leave.locator('[data-action=leave-member]').click()]);
  await station.locator('#member [data-left]').waitFor();
  await open(station, '/alliance');
  assert.equal(await station.locator('#alliance-members tr[data-member]', { hasText: name }).count(), 0);
  await open(station, '/alliance?left=1');
  assert.equal(await station.locator('#alliance-members tr[data-left]', { hasText: name }).count(), 1);
});
