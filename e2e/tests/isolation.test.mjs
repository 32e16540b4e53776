// Data isolation by org tree: a grid worker sees only the instructions of the own village.
// Another village's instruction answers 404 (not 403: its existence is not disclosed).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, pageStatus, residentOf } from '../lib.mjs';

let browser;
let analyst;
let commander;
let grid;
/** The grid worker's village (its residents 0 and 1 belong to the closed-loop test). */
let ownVillage = null;

before(async () => {
  browser = await launch();
  [analyst, commander, grid] = await Promise.all([
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'commander'),
    loggedInPage(browser, 'grid', { mobile: true }),
  ]);
});
after(async () => {
  await browser?.close();
});

async function children(code) {
  const r = await apiOk(commander, 'GET', `/api/v1/units/${code}/children`);
  return Array.isArray(r) ? r : r.items;
}

/**
 * A red warning for some resident of `unit`, signed by the county and pushed down to `unit`;
 * returns the created ids (null when the unit has no residents).
 */
async function warnFor(unit, note) {
  const resident = await residentOf(analyst, unit, unit === ownVillage ? 2 : 0, { optional: true });
  if (!resident) return null;
  const created = await apiOk(analyst, 'POST', '/api/v1/warnings', {
    resident_id: resident.resident_id,
    level: 1,
    fraud_type: 'impersonate_police',
    source: 'national_push',
    note,
  }, 201);
  await apiOk(commander, 'POST', `/api/v1/instructions/${created.instruction_id}/commands`, {
    commands: [{ command: 'sign' }, { command: 'delegate', to_unit: unit }],
  });
  return created;
}

test('a grid worker cannot open another village\'s instruction', { timeout: 120_000 }, async () => {
  const me = await apiOk(grid, 'GET', '/api/v1/me');
  const root = (await apiOk(commander, 'GET', '/api/v1/me')).unit_code;
  const own = me.unit_code;
  ownVillage = own;

  // Another village with residents, preferably under another township than the grid worker's.
  let foreign = null;
  const townships = await children(root);
  townships.sort((a, b) => (own.startsWith(a.code) ? 1 : 0) - (own.startsWith(b.code) ? 1 : 0));
  for (const t of townships) {
    for (const v of await children(t.code)) {
      if (v.code === own) continue;
      foreign = await warnFor(v.code, '端到端测试：隔离');
      if (foreign) break;
    }
    if (foreign) break;
  }
  assert.ok(foreign, 'found a village other than the grid worker\'s with residents');
  assert.notEqual(foreign.unit_code, own);
  const ownWarning = await warnFor(own, '端到端测试：本村');
  assert.ok(ownWarning, 'the grid worker\'s village has residents');

  const id = foreign.instruction_id;
  // Pages: 404 for the other village, 200 for the own one (so the 404 is not just a missing route).
  assert.equal(await pageStatus(grid, `/m/instructions/${ownWarning.instruction_id}`), 200);
  assert.equal(await pageStatus(grid, `/m/instructions/${id}`), 404);
  assert.equal(await pageStatus(grid, `/instructions/${id}`), 404);
  // Through the browser, too: the page shows not-found, never the other village's data.
  await open(grid, `/m/instructions/${id}`, 404);
  assert.equal(await grid.locator('[data-outcome]').count(), 0);

  // Lists: not on the phone's task list, nor in the API.
  await open(grid, '/m');
  await grid.locator(`.task[data-instruction-id="${ownWarning.instruction_id}"]`).waitFor();
  assert.equal(await grid.locator(`.task[data-instruction-id="${id}"]`).count(), 0);
  const listed = await apiOk(grid, 'GET', '/api/v1/instructions?status=issued');
  assert.ok(!listed.items.some((i) => i.id === id), 'not in the grid worker\'s API list');

  // The county commander, whose subtree holds both villages, can open it.
  assert.equal(await pageStatus(commander, `/instructions/${id}`), 200);
});
