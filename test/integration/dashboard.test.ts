import 'reflect-metadata';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tempolite, silentLogger, type WorkflowStatus } from '../../src/index.js';
import { OperatorFlow } from '../fixtures/operator-flow.js';
import { eventually } from '../helpers/eventually.js';
import { startOperatorWorker, type OperatorWorker } from '../helpers/operator-worker.js';
import { tempDatabase } from '../helpers/temp-db.js';

const CLI = join(import.meta.dirname, '../../dist/src/cli/main.js');
const CHROMIUM = process.env.TEMPOLITE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
if (!haveChromium && !inCi) {
  console.warn(`[dashboard.test] skipping the browser test: no Chromium at ${CHROMIUM}. Install it with: apt-get update && apt-get install -y chromium (or set TEMPOLITE_CHROMIUM)`);
}

/** `tempolite dashboard ...` as a child process; resolves with its URL once it listens. */
async function startDashboardProcess(args: string[]): Promise<{ url: string; child: ChildProcess; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'dashboard', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const url = await eventually(() => /Tempolite dashboard on (\S+)/.exec(output)?.[1], 'the dashboard to listen', 30_000);
  return { url, child, stop: () => (child.kill('SIGTERM'), exited) };
}

/** A raw HTTP GET (so the Host header can be set). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tempolite dashboard', () => {
  const temp = tempDatabase();
  const fixFile = join(temp.dir, 'fix-deployed');
  let worker: OperatorWorker;
  let client: Tempolite;

  beforeAll(async () => {
    worker = await startOperatorWorker(temp.file, fixFile);
    client = new Tempolite({ database: temp.file, workers: false, register: [OperatorFlow], logger: silentLogger, pollIntervalMs: 25 });
    await client.start();
    const handle = await client.startWorkflow(OperatorFlow, 'fragileFlow', [], { id: 'fragile-1' });
    await handle.result().catch(() => undefined);
    await client.startWorkflow(OperatorFlow, 'approval', ['ana'], { id: 'approval-1' });
  });

  afterAll(async () => {
    await client.close();
    expect(await worker.stop()).toBe(0);
    await temp.cleanup();
  });

  it.skipIf(!haveChromium && !inCi)('in headless Chromium: lists the runs, opens a tree, and the retry button completes a failed workflow', async () => {
    if (!haveChromium) throw new Error(`CI=true but there is no Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium)`);
    const dashboard = await startDashboardProcess(['--db', temp.file]);
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      await page.goto(dashboard.url);

      // The runs list, and its status filter.
      const row = page.locator('[data-testid=run-row][data-workflow-id="fragile-1"]');
      await row.waitFor();
      expect(await row.locator('[data-testid=run-status]').textContent()).toBe('failed');
      expect(await page.locator('[data-testid=run-row][data-workflow-id="approval-1"]').count()).toBe(1);
      await page.selectOption('[data-testid=filter-status]', 'failed');
      await page.locator('[data-testid=run-row][data-workflow-id="approval-1"]').waitFor({ state: 'detached' });
      expect(await page.locator('[data-testid=run-row]').count()).toBe(1);

      // The tree, with the failed step and its error.
      await row.locator('[data-testid=run-link]').click();
      const status = page.locator('[data-testid=workflow-status]');
      await status.waitFor();
      expect(await status.textContent()).toBe('failed');
      const step = page.locator('[data-testid=step][data-step-id="ops.fragile#0"]');
      await step.waitFor();
      expect(await step.locator('[data-testid=step-status]').first().textContent()).toBe('failed');
      await step.locator('summary').first().click();
      expect(await step.textContent()).toContain('the fix is not deployed yet');
      expect(await page.locator('[data-testid=step][data-step-id="ops.greet#0"]').textContent()).toContain('"hello fragile"');
      expect(await page.locator('[data-testid=progress]').textContent()).toBe('1/2 steps done');

      // Retry, once the fix is deployed: the page follows the workflow to completed.
      writeFileSync(fixFile, 'yes');
      await page.click('button[data-action=retry]');
      await page.locator('[data-testid=workflow-status]', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
      expect(await page.locator('[data-testid=workflow-output]').textContent()).toBe('"hello fragile: fixed"');
      expect(await page.locator('[data-testid=message]').textContent()).toMatch(/^retry: done, the workflow is now (pending|running|completed)\.$/);
      expect(await page.locator('button[data-action=retry]').isDisabled()).toBe(true);

      // A signal from the form.
      await page.goto(`${dashboard.url}#/workflow/approval-1`);
      await page.locator('[data-testid=workflow-status]', { hasText: 'waiting' }).waitFor();
      await page.fill('[data-testid=signal-name]', 'approve');
      await page.fill('[data-testid=signal-payload]', '{"by":"the dashboard"}');
      await page.click('button[data-action=signal]');
      await page.locator('[data-testid=workflow-status]', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
      expect(await page.locator('[data-testid=workflow-output]').textContent()).toBe('"hello ana, approved by the dashboard"');
      expect(problems).toEqual([]);
    } finally {
      await browser?.close();
      expect(await dashboard.stop()).toBe(0);
    }
  });

  it('with a token: requests without it get 401; the header, the query and the cookie it sets are accepted', async () => {
    const dashboard = await startDashboardProcess(['--db', temp.file, '--token', 's3cret']);
    try {
      const base = new URL(dashboard.url);
      expect(base.searchParams.get('token')).toBe('s3cret');
      const api = new URL('/api/workflows', base).toString();
      const unauthorized = await get(api);
      expect(unauthorized.status).toBe(401);
      // The API refuses in JSON, with a code; the page as plain text.
      expect(JSON.parse(unauthorized.body)).toMatchObject({ error: { name: 'Unauthorized', code: 'TEMPOLITE_DASHBOARD_UNAUTHORIZED' } });
      const pageRefused = await get(new URL('/', base).toString());
      expect(pageRefused.status).toBe(401);
      expect(pageRefused.body).toMatch(/^Unauthorized: /);
      expect((await get(api, { authorization: 'Bearer wrong' })).status).toBe(401);
      // A cookie that is not valid percent-encoding presents no token: 401, not a server error.
      expect((await get(api, { cookie: `tempolite_dashboard_${base.port}=%E0%A4%A` })).status).toBe(401);
      const ok = await get(api, { authorization: 'Bearer s3cret' });
      expect(ok.status).toBe(200);
      expect((JSON.parse(ok.body) as { workflows: { workflowId: string }[] }).workflows.map((w) => w.workflowId)).toContain('fragile-1');
      const page = await get(dashboard.url);
      expect(page.status).toBe(200);
      // On PostgreSQL the page names the database without its password.
      if (temp.file.includes('://')) {
        const url = new URL(temp.file);
        expect(page.body).toContain(url.host);
        expect(page.body).not.toContain(`:${url.password}@`);
      }
      const cookie = String(page.headers['set-cookie']).split(';')[0]!;
      expect(cookie).toMatch(/^tempolite_dashboard_\d+=s3cret$/);
      expect((await get(new URL('/app.js', base).toString(), { cookie })).status).toBe(200);
      expect((await get(`${api}/fragile-1`, { cookie })).status).toBe(200);
    } finally {
      expect(await dashboard.stop()).toBe(0);
    }
  });

  it('without a token: loopback only, Host checked, actions only as JSON posts; a non-loopback host is refused', async () => {
    const refused = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'dashboard', '--db', temp.file, '--host', '0.0.0.0', '--port', '0'], (error, _stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stderr }),
      );
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"0.0.0.0" is not a loopback address: set a token');

    const dashboard = await startDashboardProcess(['--db', temp.file]);
    try {
      const base = new URL(dashboard.url);
      expect(base.hostname).toBe('127.0.0.1');
      const forbidden = await get(new URL('/api/workflows', base).toString(), { host: 'attacker.example' });
      expect(forbidden.status).toBe(403);
      expect(JSON.parse(forbidden.body)).toMatchObject({ error: { code: 'TEMPOLITE_DASHBOARD_FORBIDDEN' } });
      const unknownPath = await fetch(new URL('/api/foo', base));
      expect(unknownPath.status).toBe(404);
      expect(await unknownPath.json()).toMatchObject({ error: { code: 'TEMPOLITE_DASHBOARD_NOT_FOUND' } });
      const form = await fetch(new URL('/api/workflows/fragile-1/cancel', base), { method: 'POST', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(form.status).toBe(415);
      const missing = await fetch(new URL('/api/workflows/nope', base));
      expect(missing.status).toBe(404);
      const finished = await fetch(new URL('/api/workflows/fragile-1/pause', base), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(finished.status).toBe(409);
      const page = await get(dashboard.url);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    } finally {
      expect(await dashboard.stop()).toBe(0);
    }
  });

  it('the list API: status repeatable as in the CLI, unknown parameters refused; every error answer has a code', async () => {
    const dashboard = await startDashboardProcess(['--db', temp.file]);
    try {
      const base = new URL(dashboard.url);
      const list = async (query: string) => {
        const response = await fetch(new URL(`/api/workflows?${query}`, base));
        return { status: response.status, body: (await response.json()) as { workflows?: { workflowId: string }[]; error?: { name: string; code: string; message: string } } };
      };
      const ids = (answer: { body: { workflows?: { workflowId: string }[] } }) => (answer.body.workflows ?? []).map((w) => w.workflowId).sort();
      // The browser test before may have moved them on: compare with what the client lists.
      const expected = async (status: WorkflowStatus[]) => (await client.list({ status })).map((w) => w.workflowId).sort();
      const both = await list('status=failed&status=waiting&status=completed');
      expect(both.status).toBe(200);
      expect(ids(both)).toEqual(await expected(['failed', 'waiting', 'completed']));
      expect(ids(both).length).toBeGreaterThan(1);
      expect(ids(await list('status=failed,waiting,completed'))).toEqual(ids(both));
      expect(ids(await list('status=completed'))).toEqual(await expected(['completed']));

      const misspelt = await list('stauts=failed');
      expect(misspelt.status).toBe(400);
      expect(misspelt.body.error).toMatchObject({ name: 'BadRequestError', code: 'TEMPOLITE_DASHBOARD_BAD_REQUEST' });
      expect(misspelt.body.error?.message).toContain('"stauts"');
      expect((await list('name=a&name=b')).status).toBe(400);
      expect((await list('status=nope')).body.error?.code).toBe('TEMPOLITE_DASHBOARD_BAD_REQUEST');

      const codeOf = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;
      const json = { 'content-type': 'application/json' };
      const put = await fetch(new URL('/api/workflows', base), { method: 'PUT', body: '{}', headers: json });
      expect([put.status, await codeOf(put)]).toEqual([405, 'TEMPOLITE_DASHBOARD_METHOD_NOT_ALLOWED']);
      const form = await fetch(new URL('/api/workflows/fragile-1/cancel', base), { method: 'POST', body: 'x=1', headers: { 'content-type': 'text/plain' } });
      expect([form.status, await codeOf(form)]).toEqual([415, 'TEMPOLITE_DASHBOARD_UNSUPPORTED_MEDIA_TYPE']);
      const action = await fetch(new URL('/api/workflows/fragile-1/explode', base), { method: 'POST', body: '{}', headers: json });
      expect([action.status, await codeOf(action)]).toEqual([404, 'TEMPOLITE_DASHBOARD_NOT_FOUND']);
      // A longer path names nothing: it neither acts on the workflow nor reads it.
      const longer = await fetch(new URL('/api/workflows/approval-1/resume/x', base), { method: 'POST', body: '{}', headers: json });
      expect([longer.status, await codeOf(longer)]).toEqual([404, 'TEMPOLITE_DASHBOARD_NOT_FOUND']);
      const longerGet = await fetch(new URL('/api/workflows/approval-1/x', base));
      expect(longerGet.status).toBe(405);
      const badJson = await fetch(new URL('/api/workflows/approval-1/signal', base), { method: 'POST', body: '{', headers: json });
      expect([badJson.status, await codeOf(badJson)]).toEqual([400, 'TEMPOLITE_DASHBOARD_BAD_REQUEST']);
      // A misspelt payload field is refused, not sent as a signal with a null payload.
      const signalsBefore = (await (await client.getHandle('approval-1')).describe()).signals.length;
      const misspeltSignal = await fetch(new URL('/api/workflows/approval-1/signal', base), { method: 'POST', body: '{"name":"approve","paylaod":{"by":"x"}}', headers: json });
      const misspeltBody = (await misspeltSignal.json()) as { error: { code: string; message: string } };
      expect([misspeltSignal.status, misspeltBody.error.code]).toEqual([400, 'TEMPOLITE_DASHBOARD_BAD_REQUEST']);
      expect(misspeltBody.error.message).toContain('"paylaod"');
      expect((await (await client.getHandle('approval-1')).describe()).signals).toHaveLength(signalsBefore);
      // An idempotency key taken already: nothing sent, and the answer says so.
      const keyed = async () =>
        (await (await fetch(new URL('/api/workflows/approval-key/signal', base), { method: 'POST', body: '{"name":"approve","payload":{"by":"hook"},"idempotencyKey":"hook-1"}', headers: json })).json()) as { changed: boolean };
      await client.startWorkflow(OperatorFlow, 'approval', ['key'], { id: 'approval-key' });
      expect(await keyed()).toMatchObject({ ok: true, changed: true });
      expect(await keyed()).toMatchObject({ ok: true, changed: false });
      const missing = await fetch(new URL('/api/workflows/nope', base));
      expect([missing.status, await codeOf(missing)]).toEqual([404, 'TEMPOLITE_WORKFLOW_NOT_FOUND']);
      const malformed = await fetch(new URL('/api/workflows/%E0%A4%A', base));
      expect([malformed.status, await codeOf(malformed)]).toEqual([400, 'TEMPOLITE_DASHBOARD_BAD_REQUEST']);

      // An action answer says whether it changed anything, as the CLI's --json does.
      await client.startWorkflow(OperatorFlow, 'approval', ['cy'], { id: 'approval-act' });
      await eventually(async () => (await (await client.getHandle('approval-act')).status()) === 'waiting', 'the wait');
      const act = async (id: string, name: string) => (await (await fetch(new URL(`/api/workflows/${id}/${name}`, base), { method: 'POST', body: '{}', headers: json })).json()) as { changed: boolean; status: string };
      expect(await act('approval-act', 'resume')).toMatchObject({ changed: false, status: 'waiting' });
      expect(await act('approval-act', 'pause')).toMatchObject({ changed: true, status: 'paused' });
      expect(await act('approval-act', 'pause')).toMatchObject({ changed: false, status: 'paused' });
      expect(await act('approval-act', 'resume')).toMatchObject({ changed: true });
    } finally {
      expect(await dashboard.stop()).toBe(0);
    }
  });
});
