// 96110外呼 as a seat works it: a red warning queues a call; the queue shows it with the number
// masked; "领取下一个" opens the claimed call with its number as a tel: link and the talking
// points; one tap records the result, which lands on the instruction as a failed phone attempt.
// An administrator watches the queue but cannot claim.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, api, apiOk, eventually, withShot, screenshot } from '../lib.mjs';

let browser;
let seat; // desktop page of the center analyst, who works the 96110 seat
let admin;

before(async () => {
  browser = await launch();
  [seat, admin] = await Promise.all([loggedInPage(browser, 'analyst'), loggedInPage(browser, 'admin')]);
});
after(async () => {
  await browser?.close();
});

test('a red warning is called from the 96110 queue and the result reaches the instruction', { timeout: 120_000 }, async () => {
  const me = await apiOk(seat, 'GET', '/api/v1/me');
  assert.ok(me.permissions.includes('work_call_tasks'), `the analyst works calls: ${me.permissions}`);
  const people = await apiOk(seat, 'GET', `/api/v1/people?unit=${me.unit_code}&reveal=true&limit=50`);
  const person = people.items.find((p) => p.phone);
  assert.ok(person, 'a resident with a registered phone');

  const created = await api(seat, 'POST', '/api/v1/warnings', {
    resident_id: person.resident_id,
    level: 1,
    fraud_type: 'impersonate_police',
    source: 'national_push',
    note: '端到端测试：96110外呼',
  });
  assert.equal(created.status, 201, `POST /api/v1/warnings: ${created.text}`);
  const instructionId = created.json.instruction_id;

  // The call is queued, masked in the list.
  const queued = await eventually(async () => {
    const list = await apiOk(seat, 'GET', '/api/v1/call-tasks?state=open&limit=1000');
    return list.items.find((t) => t.instruction_id === instructionId);
  }, { message: 'the call task of the new instruction' });
  assert.match(queued.msisdn, /\*{4}/, 'numbers are masked in the queue');

  await open(seat, '/calls');
  await withShot(seat, 'calls-queue', async () => {
    await seat.locator(`#calls tr[data-call-id="${queued.id}"]`).waitFor();
    const text = await seat.locator('main').innerText();
    assert.ok(!text.includes(person.phone), 'the queue never shows a full number');
    await screenshot(seat, 'calls-zh-desktop');
  });

  // Claim next: the most urgent, oldest call of the seat's area (not necessarily ours).
  seat.on('dialog', (d) => d.accept());
  await withShot(seat, 'calls-claim', async () => {
    await Promise.all([seat.waitForURL(/\/calls\/\d+$/), seat.locator('#claim-next').click()]);
  });
  const claimedId = Number(new URL(seat.url()).pathname.split('/').pop());
  await withShot(seat, 'calls-task', async () => {
    const tel = seat.locator('a.call[href^="tel:"]');
    await tel.waitFor();
    assert.match(await tel.getAttribute('href'), /^tel:\+?\d[\d-]+$/);
    assert.ok((await seat.locator('.script li').count()) > 0, 'talking points for the fraud type');
    await screenshot(seat, 'call-task-zh-desktop');
    await Promise.all([
      seat.waitForURL(/\/calls\?recorded=\d+/),
      seat.locator('[data-result="no_answer"]').click(),
    ]);
    await seat.locator('[data-recorded]').waitFor();
  });

  const all = await apiOk(seat, 'GET', '/api/v1/call-tasks?limit=1000');
  const after = all.items.find((t) => t.id === claimedId);
  assert.ok(after, `call ${claimedId} is listed`);
  assert.equal(after.result, 'no_answer');
  assert.equal(after.attempts, 1);
  assert.equal(after.state, 'queued', 'called again later');
  const inst = await apiOk(seat, 'GET', `/api/v1/instructions/${after.instruction_id}`);
  const last = inst.events[inst.events.length - 1];
  assert.equal(last.action.type, 'attempt_failed');
  assert.equal(last.actor, 'analyst');
  assert.match(last.note, /96110外呼/);

  // The administrator watches the queue but does not work it.
  await open(admin, '/calls');
  assert.equal(await admin.locator('#claim-next').count(), 0);
  const refused = await api(admin, 'POST', '/api/v1/call-tasks/claim');
  assert.equal(refused.status, 403);
});
