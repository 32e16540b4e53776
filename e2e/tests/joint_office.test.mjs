// 联席办 as it is used: the center's analyst adds a member department, records this year's
// responsibility letter and a meeting with it present, assigns a task from the meeting, records
// the department's progress report and accepts it, then imports the next task list (a row for a
// stranger quarantined); the desk shows the member signed, the task done, and the contact masked
// (in full on the member's page).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot } from '../lib.mjs';

let browser;
let analyst;

before(async () => {
  browser = await launch();
  analyst = await loggedInPage(browser, 'analyst');
});
after(async () => {
  await browser?.close();
});

test('联席办: a member signs, meets, is assigned a task and carries it out', { timeout: 90_000 }, async () => {
  const stamp = String(Date.now() % 1_000_000).padStart(6, '0');
  const name = `端到端文化广电旅游局${stamp}`;
  await open(analyst, '/joint-office');
  const form = analyst.locator('#member-form');
  await form.locator('input[name=name]').fill(name);
  await form.locator('select[name=kind]').selectOption('government');
  await form.locator('input[name=contact_name]').fill('陈科长');
  await form.locator('input[name=contact_phone]').fill('13912340001');
  await form.locator('input[name=staff]').fill('80');
  await Promise.all([analyst.waitForURL(/\/joint-office\/members\/\d+/), form.locator('[data-action=add-member]').click()]);
  const memberUrl = new URL(analyst.url()).pathname;
  const memberId = memberUrl.split('/').pop();
  assert.match(await analyst.locator('#member [data-contact]').innerText(), /13912340001/);
  assert.equal(await analyst.locator('[data-unsigned]').count(), 1, 'no letter yet');

  // This year's letter.
  const letter = analyst.locator('#letter-form');
  await letter.locator('input[name=signer]').fill('张局长');
  await Promise.all([analyst.waitForEvent('load'), letter.locator('[data-action=sign-letter]').click()]);
  await analyst.locator('#member-letters td', { hasText: '张局长' }).waitFor();
  assert.equal(await analyst.locator('[data-unsigned]').count(), 0);

  // A meeting with the member present (only it ticked), then a task from the meeting.
  await open(analyst, '/joint-office');
  const meeting = analyst.locator('#meeting-form');
  await meeting.locator('select[name=kind]').selectOption('dispatch');
  await meeting.locator('input[name=title]').fill(`端到端调度会${stamp}`);
  for (const box of await meeting.locator('input[name=attendee]').all()) {
    if ((await box.getAttribute('value')) !== memberId) await box.uncheck();
  }
  await Promise.all([analyst.waitForURL(/\/joint-office\/meetings\/\d+/), meeting.locator('[data-action=record-meeting]').click()]);
  await analyst.locator('#meeting-attendees li', { hasText: name }).waitFor();
  await Promise.all([analyst.waitForURL(/\/joint-office\?meeting=\d+/), analyst.locator('a', { hasText: '按本次会议部署任务' }).click()]);
  const task = analyst.locator('#task-form');
  await task.locator('select[name=member_id]').selectOption(memberId);
  await task.locator('input[name=title]').fill('组织文旅场所张贴反诈宣传海报');
  await Promise.all([analyst.waitForURL(/\/joint-office\/tasks\/\d+/), task.locator('[data-action=assign-task]').click()]);
  assert.match(await analyst.locator('#task dl').innerText(), new RegExp(`端到端调度会${stamp}`));

  // The department reports; the office accepts.
  const report = analyst.locator('#report-form');
  await report.locator('textarea[name=report]').fill('已在全部文旅场所张贴海报');
  await report.locator('input[name=reporter]').fill('陈科长');
  await Promise.all([analyst.waitForEvent('load'), report.locator('[data-action=report-task]').click()]);
  await analyst.locator('#accept-form').waitFor();
  await Promise.all([analyst.waitForEvent('load'), analyst.locator('[data-action=accept-task]').click()]);
  await analyst.locator('#task[data-state=done]').waitFor();
  assert.equal(await analyst.locator('#task-history tbody tr').count(), 3, 'assigned, reported, accepted');

  // The department's contact was texted when the task was assigned, through the demo's
  // simulated SMSC, whose phones answer within seconds.
  const taskPage = new URL(analyst.url()).pathname;
  const delivered = analyst.locator('#task-texts tr[data-sms-state=delivered]');
  for (let i = 0; i < 40 && (await delivered.count()) === 0; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    await open(analyst, taskPage);
  }
  assert.equal(await delivered.count(), 1, 'the assignment text delivered');
  const text = await delivered.innerText();
  assert.match(text, /139\*\*\*\*0001/);
  assert.match(text, /交办任务“组织文旅场所张贴反诈宣传海报”/);
  assert.match(text, /已送达/);

  // The task list of the next meeting, imported: one row for the member, one for a stranger.
  await open(analyst, '/joint-office');
  await analyst.locator('#import-details summary').click();
  const due = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  const csv = `责任单位,工作任务,完成时限\n${name},开展文旅场所从业人员反诈培训,${due}\n不存在的单位${stamp},排查,${due}\n`;
  const upload = analyst.locator('#import-tasks');
  await upload.locator('input[type=file]').setInputFiles({ name: '任务清单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await upload.locator('[data-action=import-tasks]').click();
  await analyst.locator('#import-result').waitFor();
  assert.equal((await analyst.locator('#import-result [data-applied]').innerText()).trim(), '1');
  assert.equal(await analyst.locator('#import-rejected [data-reason=unknown_member]').count(), 1);
  await analyst.locator('#joint-tasks tr[data-task]', { hasText: '开展文旅场所从业人员反诈培训' }).waitFor();

  await open(analyst, '/joint-office');
  await withShot(analyst, 'joint-office', async () => {
    const row = analyst.locator('#joint-members tr[data-member]', { hasText: name });
    await row.waitFor();
    assert.match(await row.innerText(), /139\*\*\*\*0001/);
    assert.ok(!(await row.innerText()).includes('13912340001'), 'masked in the list');
    assert.equal((await row.locator('[data-figure=done]').innerText()).split(' ')[0].trim(), '1');
    assert.equal((await row.locator('[data-figure=pending]').innerText()).split(' ')[0].trim(), '1', 'the imported task');
    assert.match(await row.locator('[data-figure=letter]').innerText(), /张局长/);
  });
});
