// The closed loop (闭环) end to end, as the people who run it would:
// analyst relays a red warning → it shows live on the 指挥大屏 → the county commander signs the
// instruction and pushes it down to the resident's village in one click → the grid worker, on a
// phone, records "dissuaded by phone" → the dashboard counts it and the audit log shows it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, loggedInPage, open, api, apiOk, counterValue, eventually, withShot, residentOf,
} from '../lib.mjs';

let browser;
let analyst; // desktop page of the center analyst
let commander; // desktop page of the county commander (root unit)
let grid; // 390×844 page of the grid worker
let admin; // desktop page allowed to read the audit log

before(async () => {
  browser = await launch();
  [analyst, commander, grid, admin] = await Promise.all([
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'commander'),
    loggedInPage(browser, 'grid', { mobile: true }),
    loggedInPage(browser, 'admin'),
  ]);
});
after(async () => {
  await browser?.close();
});

test('red warning → live dashboard → signed → dissuaded by the grid worker → counted and audited', { timeout: 120_000 }, async () => {
  // Who is where: the grid worker's village, and one of its residents.
  const gridMe = await apiOk(grid, 'GET', '/api/v1/me');
  const village = gridMe.unit_code;
  assert.match(village, /^\d{9,12}$/, `grid worker sits in a village unit, got ${village}`);
  const resident = await residentOf(analyst, village, 0);
  const county = (await apiOk(commander, 'GET', '/api/v1/me')).unit_code;

  // The big screen is open before the warning arrives.
  const dash = commander;
  await open(dash, '/dashboard');
  await dash.locator('#live-warnings').waitFor({ state: 'attached' });
  const redBefore = await counterValue(dash, '[data-counter=red]');
  const dissuadedBefore = await counterValue(dash, '[data-counter=dissuaded]');
  await counterValue(dash, '[data-counter=open]');

  // 1. The analyst injects a red (level 1) warning for that resident.
  const created = await api(analyst, 'POST', '/api/v1/warnings', {
    resident_id: resident.resident_id,
    level: 1,
    fraud_type: 'impersonate_police',
    source: 'national_push',
    note: '端到端测试：冒充公检法',
  });
  assert.equal(created.status, 201, `POST /api/v1/warnings: ${created.text}`);
  const { warning_id: warningId, instruction_id: instructionId, unit_code: heldBy } = created.json;
  assert.ok(warningId && instructionId, `warning and instruction ids: ${created.text}`);
  assert.equal(heldBy, county, 'a red warning goes straight (no review) to the county bureau');

  // 2. It appears on the open dashboard without a reload (SSE), and the red counter moves.
  await withShot(dash, 'closed-loop-dashboard', async () => {
    await dash.locator(`#live-warnings [data-warning-id="${warningId}"]`).waitFor({ timeout: 15_000 });
    await eventually(async () => (await counterValue(dash, '[data-counter=red]')) >= redBefore + 1, {
      message: 'red counter to count the new warning',
    });
  });

  // The instruction is listed by the API with its holder.
  const listed = await apiOk(commander, 'GET', '/api/v1/instructions?status=issued');
  const item = listed.items.find((i) => i.id === instructionId);
  assert.ok(item, 'the new instruction is in the commander\'s subtree queue');
  assert.equal(item.holder_unit, county);
  assert.equal(item.owner_unit, village);
  assert.equal(item.status, 'issued');

  // 3. The county commander signs it on /instructions, then pushes it down: the resident's
  //    village is preselected, so it is one click.
  await open(commander, '/instructions');
  await withShot(commander, 'closed-loop-instructions', async () => {
    const row = commander.locator(`tr[data-instruction-id="${instructionId}"]`);
    await row.waitFor();
    // The queue refreshes itself whenever anything changes (the live engine keeps it busy). A
    // click that lands right after a refresh swapped the rows must still take: click the new
    // row's button in the first task after the swap, before any timer could have run.
    await commander.evaluate((id) => new Promise((resolve) => {
      const body = document.querySelector('#queue tbody');
      // A refresh inside the throttle window is ignored: ask again until one swaps.
      const ask = setInterval(() => window.htmx.trigger(body, 'sse:change'), 500);
      body.addEventListener('htmx:afterSwap', () => setTimeout(() => {
        clearInterval(ask);
        document.querySelector(`tr[data-instruction-id="${id}"] [data-action=sign]`).click();
        resolve();
      }, 0), { once: true });
      window.htmx.trigger(body, 'sse:change');
    }), instructionId);
    await eventually(async () => {
      const now = await apiOk(commander, 'GET', `/api/v1/instructions/${instructionId}`);
      return now.status === 'signed';
    }, { timeoutMs: 10_000, message: 'the click right after a refresh to sign the instruction' });
    // Its row shows it at once or at the next refresh; a page load shows it in any case.
    const signed = commander.locator(`tr[data-instruction-id="${instructionId}"][data-status=signed]`);
    await signed.waitFor({ timeout: 4_000 }).catch(() => open(commander, '/instructions'));
    await signed.waitFor();
    assert.equal(await signed.locator('select[name=to_unit]').inputValue(), village);
    await signed.locator('[data-action=delegate]').click();
    // Pushed down, it leaves the county's own to-do list (the live refresh drops the row).
    await eventually(async () => {
      const pushed = await apiOk(commander, 'GET', `/api/v1/instructions/${instructionId}`);
      return pushed.holder_unit === village && pushed.status === 'issued';
    }, { message: 'the instruction to be held by the village, waiting to be signed there' });
  });

  // 4. The grid worker opens the task on the phone and records the outcome (tap, confirm).
  grid.on('dialog', (d) => d.accept());
  await open(grid, '/m');
  await withShot(grid, 'closed-loop-mobile', async () => {
    const card = grid.locator(`.task[data-instruction-id="${instructionId}"]`);
    await card.waitFor();
    await Promise.all([
      grid.waitForURL(`**/m/instructions/${instructionId}`),
      card.locator(`a[href$="/m/instructions/${instructionId}"]`).or(card).first().click(),
    ]);
    assert.ok(await grid.locator('a[href^="tel:"]').count() > 0, 'a tap-to-call link');
    const button = grid.locator('[data-outcome=dissuaded_phone]');
    const box = await button.boundingBox();
    assert.ok(box && box.height >= 40 && box.width >= 40, 'outcome buttons are thumb-sized');
    await button.tap();
    await grid.locator('[data-status=dissuaded]').waitFor();
  });

  // 5. The dashboard counts the dissuasion; the audit log records the outcome.
  await withShot(dash, 'closed-loop-dashboard-after', async () => {
    await eventually(
      async () => {
        await open(dash, '/dashboard');
        return (await counterValue(dash, '[data-counter=dissuaded]')) >= dissuadedBefore + 1;
      },
      { timeoutMs: 15_000, intervalMs: 1_000, message: 'dissuaded counter to go up' },
    );
  });
  const done = await apiOk(commander, 'GET', '/api/v1/instructions?status=dissuaded');
  assert.ok(done.items.some((i) => i.id === instructionId), 'instruction is dissuaded');

  // The person was texted a 反诈提醒 through the demo's simulated SMSC, which answers within
  // seconds (delivered, or failed for the few phones it takes to be switched off).
  const settled = commander.locator('#instruction-texts tr[data-sms-state=delivered], #instruction-texts tr[data-sms-state=failed]');
  await eventually(
    async () => {
      await open(commander, `/instructions/${instructionId}`);
      return (await settled.count()) >= 1;
    },
    { timeoutMs: 40_000, intervalMs: 1_000, message: 'the 反诈提醒 to the person to be settled' },
  );
  assert.match(await commander.locator('#instruction-texts').innerText(), /反诈提醒/);

  await open(admin, '/audit');
  await withShot(admin, 'closed-loop-audit', async () => {
    await admin.locator('tr[data-audit-action=instruction_outcome_recorded]').first().waitFor();
    const rows = admin.locator('tr[data-audit-action=instruction_outcome_recorded]');
    const texts = await rows.allInnerTexts();
    assert.ok(
      texts.some((t) => t.includes(instructionId) || t.includes('grid') || t.includes('张丽')),
      'an outcome_recorded row names the instruction or the grid worker',
    );
    // The action reads in words, its code beside it.
    assert.ok(texts.some((t) => t.includes('指令·反馈结果')), texts.join(' | '));
  });
});

test('the warning detail masks personal data until reveal, which is audited', { timeout: 60_000 }, async () => {
  const gridMe = await apiOk(grid, 'GET', '/api/v1/me');
  const resident = await residentOf(analyst, gridMe.unit_code, 1);
  const created = await apiOk(analyst, 'POST', '/api/v1/warnings', {
    resident_id: resident.resident_id,
    level: 1,
    fraud_type: 'impersonate_police',
    source: 'national_push',
    note: '端到端测试：查看详情',
  }, 201);

  await open(analyst, `/warnings/${created.warning_id}`);
  await withShot(analyst, 'warning-detail', async () => {
    const before = await analyst.locator('main').innerText();
    assert.ok(!before.includes(resident.resident_id), 'the full resident id is masked by default');
    await analyst.locator('[data-action=reveal]').click();
    await eventually(async () => (await analyst.locator('main').innerText()).includes(resident.resident_id), {
      message: 'the full resident id after reveal',
    });
  });
  await open(admin, '/audit?action=view_personal_data');
  assert.ok(
    await admin.locator('tr[data-audit-action=view_personal_data]').count() > 0,
    'the reveal is in the audit log',
  );
});
